"""Read one Go file: its package, imports, string constants and error registrations.

Top-level ``const``/``var``/``import`` declarations are read after Go's automatic
semicolon insertion, so multi-line calls, grouped ``var (...)`` blocks and comments
between arguments need no special cases. Registrations are package-level variables
named ``ErrX`` (or ``errX``) set in one of the three shapes the platform uses::

    ErrX = errorsmod.Register(ModuleName, 1036, "ML inference failed")
    ErrY = errors.Register("artifact_store", 2503, "artifact not found")
    ErrZ = errors.NewCodedError(smsModule, 5, "challenge not found", errors.CategoryNotFound)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from errcodegen.goimport.lexer import GoSyntaxError, Token, tokenize
from errcodegen.lang.words import words


@dataclass(frozen=True)
class Ref:
    """A name in Go source: ``Name`` in this package or ``pkg.Name`` in an imported one."""

    package: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.package}.{self.name}" if self.package else self.name


StringExpr = tuple[str | Ref, ...]  # parts of a concatenation: literals and references
IntExpr = int | Ref


@dataclass(frozen=True)
class Registration:
    symbol: str  # the Go variable, e.g. ErrInvalidScope
    module: StringExpr
    number: IntExpr
    message: StringExpr
    category: str | None  # snake_case as the source states it (NewCodedError); else None
    doc: str  # the comment above the variable, comment markers removed
    line: int


@dataclass
class GoFile:
    package: str
    imports: dict[str, str] = field(default_factory=dict)  # explicit alias -> import path
    plain_imports: list[str] = field(default_factory=list)  # paths imported without alias
    constants: dict[str, StringExpr | IntExpr] = field(default_factory=dict)
    registrations: list[Registration] = field(default_factory=list)


REGISTER_FUNCTIONS = {"Register": 3, "NewCodedError": 4}  # function -> argument count

# Go inserts a semicolon after a line's last token when it is one of these.
_ENDS_STATEMENT_KEYWORDS = {"break", "continue", "fallthrough", "return"}
_ENDS_STATEMENT_OPS = {"++", "--", ")", "]", "}"}
_OPEN = {"(": ")", "[": "]", "{": "}"}


def parse_go(source: str) -> GoFile:
    """Read ``source``; raise GoSyntaxError when a registration cannot be read."""
    tokens = tokenize(source)
    comments = [t for t in tokens if t.kind == "comment"]
    code = _with_semicolons([t for t in tokens if t.kind != "comment"])
    docs = _DocComments(comments, code)
    if len(code) < 2 or code[0].text != "package":
        raise GoSyntaxError(code[0].line if code else 1, "expected a package clause")
    result = GoFile(package=code[1].text)
    for keyword, body in _top_level_declarations(code):
        for spec in _specs(body):
            _read_spec(keyword, spec, result, docs)
    return result


def build_constraint_lines(source: str) -> list[str]:
    """``//go:build`` and ``// +build`` lines of the file header (before ``package``)."""
    found = []
    for token in tokenize(source):
        if token.kind != "comment":
            break
        text = token.text.strip()
        if token.text.startswith("go:build") or text.startswith("+build"):
            found.append(token.text if token.text.startswith("go:build") else text)
    return found


def _with_semicolons(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for i, token in enumerate(tokens):
        out.append(token)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (following is None or following.line > token.end_line) and _ends_statement(token):
            out.append(Token("op", ";", token.end_line, token.end_line))
    return out


def _ends_statement(token: Token) -> bool:
    if token.kind == "ident":
        return token.text not in _KEYWORDS or token.text in _ENDS_STATEMENT_KEYWORDS
    if token.kind == "op":
        return token.text in _ENDS_STATEMENT_OPS
    return True


_KEYWORDS = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
    "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
    "return", "select", "struct", "switch", "type", "var",
}  # fmt: skip


def _top_level_declarations(code: list[Token]) -> list[tuple[str, list[Token]]]:
    """(keyword, tokens after it) of each top-level const, var and import declaration."""
    declarations: list[tuple[str, list[Token]]] = []
    depth, i = 0, 0
    while i < len(code):
        token = code[i]
        if depth == 0 and token.kind == "ident" and token.text in ("const", "var", "import"):
            end = _declaration_end(code, i + 1)
            declarations.append((token.text, code[i + 1 : end]))
            i = end
            continue
        if token.text in _OPEN and token.kind == "op":
            depth += 1
        elif token.text in _OPEN.values() and token.kind == "op":
            depth -= 1
        i += 1
    return declarations


def _declaration_end(code: list[Token], start: int) -> int:
    """Index just past the declaration starting at ``start`` (a group or one spec)."""
    depth = 0
    for i in range(start, len(code)):
        text = code[i].text if code[i].kind == "op" else ""
        if text in _OPEN:
            depth += 1
        elif text in _OPEN.values():
            depth -= 1
        elif text == ";" and depth == 0:
            return i + 1
    return len(code)


def _specs(body: list[Token]) -> list[list[Token]]:
    """The specs of a declaration: the parts of ``( a ; b ; )`` or the single spec."""
    if body and body[0].kind == "op" and body[0].text == "(":
        body = body[1 : _closing(body, 0)]
    return [spec for spec in _split(body, ";") if spec]


def _closing(tokens: list[Token], opening: int) -> int:
    """Index of the bracket closing the one at ``opening`` (or the end)."""
    depth = 0
    for i in range(opening, len(tokens)):
        text = tokens[i].text if tokens[i].kind == "op" else ""
        if text in _OPEN:
            depth += 1
        elif text in _OPEN.values():
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)


def _split(tokens: list[Token], separator: str) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        text = token.text if token.kind == "op" else ""
        if text == separator and depth == 0:
            parts.append([])
            continue
        if text in _OPEN:
            depth += 1
        elif text in _OPEN.values():
            depth -= 1
        parts[-1].append(token)
    return parts


def _read_spec(keyword: str, spec: list[Token], into: GoFile, docs: _DocComments) -> None:
    if keyword == "import":
        _read_import(spec, into)
        return
    names, values = _names_and_values(spec)
    for name, value in zip(names, values, strict=False):
        registration = _registration(name, value, docs)
        if registration is not None:
            into.registrations.append(registration)
            continue
        constant = _string_expr(value) or _int_expr(value)
        if constant is not None:
            into.constants[name.text] = constant


def _read_import(spec: list[Token], into: GoFile) -> None:
    path = spec[-1]
    if path.kind != "string":
        return
    if len(spec) == 1:
        into.plain_imports.append(path.text)
    elif spec[0].text not in ("_", "."):
        into.imports[spec[0].text] = path.text


def _names_and_values(spec: list[Token]) -> tuple[list[Token], list[list[Token]]]:
    """``A, B T = x, y`` -> ([A, B], [[x], [y]]); no values when there is no ``=``."""
    equals = next((i for i, t in enumerate(spec) if t.kind == "op" and t.text == "="), None)
    if equals is None:
        return [], []
    names: list[Token] = []
    i = 0
    while i < equals and spec[i].kind == "ident":
        names.append(spec[i])
        if i + 1 < equals and spec[i + 1].text == ",":
            i += 2
            continue
        break  # what follows the names, up to "=", is their type
    return names, _split(spec[equals + 1 :], ",")


def _registration(name: Token, value: list[Token], docs: _DocComments) -> Registration | None:
    call = _call(value)
    if call is None:
        return None
    function, args = call
    if len(args) != REGISTER_FUNCTIONS[function]:
        return None
    if not re.match(r"^[Ee]rr", name.text):
        return None  # errors are ErrX / errX; other Register(a, b, c) calls are other registries
    return _read_registration(name, args, docs)


def _read_registration(name: Token, args: list[list[Token]], docs: _DocComments) -> Registration:
    function = "NewCodedError" if len(args) == REGISTER_FUNCTIONS["NewCodedError"] else "Register"
    module, number, message = _string_expr(args[0]), _int_expr(args[1]), _string_expr(args[2])
    where = f"{name.text} = ...{function}(...)"
    if module is None:
        raise GoSyntaxError(name.line, f"{where}: cannot read the module name argument")
    if number is None:
        raise GoSyntaxError(name.line, f"{where}: the code number is not an integer constant")
    if message is None:
        raise GoSyntaxError(name.line, f"{where}: the message is not a string constant")
    category = _category(args[3]) if len(args) == 4 else None
    if len(args) == 4 and category is None:
        raise GoSyntaxError(name.line, f"{where}: cannot read the category argument")
    return Registration(
        name.text, module, number, message, category, docs.above(name.line), name.line
    )


def _call(value: list[Token]) -> tuple[str, list[list[Token]]] | None:
    """``pkg.Register(...)`` / ``pkg.NewCodedError(...)`` -> (function, arguments)."""
    shape = [t.text for t in value[:4]]
    if len(value) < 5 or shape[1] != "." or shape[2] not in REGISTER_FUNCTIONS:
        return None
    if shape[3] != "(" or value[-1].text != ")" or value[0].kind != "ident":
        return None
    args = _split(value[4:-1], ",")
    if args and not args[-1]:
        args = args[:-1]  # a trailing comma before a closing parenthesis on its own line
    return shape[2], args


def _string_expr(tokens: list[Token]) -> StringExpr | None:
    parts: list[str | Ref] = []
    for operand in _split_plus(tokens):
        if len(operand) == 1 and operand[0].kind == "string":
            parts.append(operand[0].text)
            continue
        ref = _ref(operand)
        if ref is None:
            return None
        parts.append(ref)
    return tuple(parts) if parts else None


def _split_plus(tokens: list[Token]) -> list[list[Token]]:
    operands: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "op" and token.text == "+":
            operands.append([])
        else:
            operands[-1].append(token)
    return operands


def _ref(tokens: list[Token]) -> Ref | None:
    if len(tokens) == 1 and tokens[0].kind == "ident" and tokens[0].text not in _KEYWORDS:
        return Ref(None, tokens[0].text)
    if [t.kind for t in tokens] == ["ident", "op", "ident"] and tokens[1].text == ".":
        return Ref(tokens[0].text, tokens[2].text)
    return None


def _int_expr(tokens: list[Token]) -> IntExpr | None:
    if len(tokens) == 1 and tokens[0].kind == "int":
        return _int_literal(tokens[0].text)
    ref = _ref(tokens)
    return ref if ref is not None and ref.name not in ("true", "false", "nil", "iota") else None


def _int_literal(text: str) -> int:
    digits = text.replace("_", "")
    if re.fullmatch(r"0[0-7]+", digits):
        return int(digits, 8)  # Go's legacy octal form
    return int(digits, 0)


def _category(tokens: list[Token]) -> str | None:
    """``errors.CategoryNotFound``, ``CategoryNotFound`` or ``"not_found"`` -> ``not_found``."""
    if len(tokens) == 1 and tokens[0].kind == "string":
        return tokens[0].text
    ref = _ref(tokens)
    if ref is None or not ref.name.startswith("Category") or ref.name == "Category":
        return None
    return "_".join(words(ref.name.removeprefix("Category")))


class _DocComments:
    """The comment group directly above a line, as Go's doc comments are found."""

    def __init__(self, comments: list[Token], code: list[Token]) -> None:
        code_lines = {t.line for t in code} | {t.end_line for t in code}
        # a comment sharing its line with code is a trailing comment, not documentation
        self._by_end_line = {c.end_line: c for c in comments if c.line not in code_lines}

    def above(self, line: int) -> str:
        group: list[str] = []
        comment = self._by_end_line.get(line - 1)
        while comment is not None:
            group.insert(0, _comment_text(comment.text))
            comment = self._by_end_line.get(comment.line - 1)
        return " ".join(part for part in group if part)


def _comment_text(text: str) -> str:
    lines = (re.sub(r"^\s*\*?\s?", "", line).rstrip() for line in text.splitlines())
    return " ".join(line.strip() for line in lines if line.strip())

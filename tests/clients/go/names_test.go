package veerrors_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// clientDir is the generated client these tests replace the module with (go.mod).
const clientDir = "../../../clients/go"

// declaredVars parses the client and returns, per exported variable, its declaration.
func declaredVars(t *testing.T) map[string]*ast.GenDecl {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(clientDir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", clientDir, err)
	}
	decls := map[string]*ast.GenDecl{}
	fset := token.NewFileSet()
	for _, path := range files {
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.VAR {
				for _, spec := range gen.Specs {
					for _, name := range spec.(*ast.ValueSpec).Names {
						if name.IsExported() {
							decls[name.Name] = gen
						}
					}
				}
			}
		}
	}
	return decls
}

// codeModule returns the Module of a &Code{...} declaration, or "".
func codeModule(decl *ast.GenDecl) string {
	spec := decl.Specs[0].(*ast.ValueSpec)
	if len(spec.Values) != 1 {
		return ""
	}
	unary, ok := spec.Values[0].(*ast.UnaryExpr)
	if !ok {
		return ""
	}
	literal, ok := unary.X.(*ast.CompositeLit)
	if !ok || literal.Type.(*ast.Ident).Name != "Code" {
		return ""
	}
	for _, element := range literal.Elts {
		field := element.(*ast.KeyValueExpr)
		if field.Key.(*ast.Ident).Name == "module" {
			module, _ := strconv.Unquote(field.Value.(*ast.BasicLit).Value)
			return module
		}
	}
	return ""
}

func TestEveryCodeAndSentinelHasADeclarationOfItsOwn(t *testing.T) {
	codes := 0
	for name, decl := range declaredVars(t) {
		if !strings.HasPrefix(name, "Err") {
			continue
		}
		if decl.Lparen.IsValid() || len(decl.Specs) != 1 {
			t.Errorf("%s is declared in a group of %d: go doc would print them all", name, len(decl.Specs))
		}
		if decl.Doc == nil || !strings.HasPrefix(decl.Doc.Text(), name+" is ") {
			t.Errorf("%s has no doc comment beginning with its name", name)
		}
		if codeModule(decl) != "" {
			codes++
		}
	}
	if codes < 900 {
		t.Fatalf("found %d code variables", codes)
	}
}

// moduleWords splits a module name the way the generator does: "verification/nonce"
// gives verification, nonce.
func moduleWords(module string) []string {
	return strings.FieldsFunc(module, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func TestCodeVariablesDoNotStutterOrCarrySuffixes(t *testing.T) {
	vars := declaredVars(t)
	lower := map[string]bool{}
	for name := range vars {
		lower[strings.ToLower(name)] = true
	}
	for name, decl := range vars {
		module := codeModule(decl)
		if module == "" {
			continue
		}
		if strings.HasSuffix(name, "Sdk") || strings.Contains(name, "Sdk") {
			t.Errorf("%s: the SDK's copy is spelled SDK, after the module", name)
		}
		if strings.HasSuffix(name, "Error") {
			t.Errorf("%s: an error variable does not end in Error", name)
		}
		words := moduleWords(module)
		prefix := "err" + strings.ToLower(strings.Join(words, ""))
		if !strings.HasPrefix(strings.ToLower(name), prefix) {
			t.Errorf("%s does not begin with its module %s", name, module)
			continue
		}
		rest := name[len(prefix):]
		last := words[len(words)-1]
		stutters := len(rest) > len(last) && strings.EqualFold(rest[:len(last)], last) &&
			unicode.IsUpper(rune(rest[len(last)]))
		// The long form is kept only where the short one is another variable (ErrEncryptionFailed
		// is a common sentinel).
		if stutters && !lower[prefix+strings.ToLower(rest[len(last):])] {
			t.Errorf("%s repeats the module's last word %q", name, last)
		}
	}
}

func TestGoDocOfOneCodePrintsOnlyThatCode(t *testing.T) {
	cmd := exec.Command("go", "doc", ".", "ErrVerificationNonceNotFound")
	cmd.Dir = clientDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go doc: %v\n%s", err, out)
	}
	text := string(out)
	if n := strings.Count(text, "\nvar "); n != 1 || !strings.Contains(text, "var ErrVerificationNonceNotFound = ") ||
		strings.Count(text, "\n") > 12 {
		t.Fatalf("go doc printed %d var declarations, %d lines:\n%s", n, strings.Count(text, "\n"), text)
	}
}

func TestTheClientCompilesNoRegexp(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = clientDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "regexp" {
			t.Fatal("the client imports regexp: nothing may be compiled at init")
		}
	}
}

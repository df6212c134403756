"""The Markdown catalog rendered by a CommonMark parser with GitHub tables (markdown-it-py):
tables keep their shape, links resolve, and hostile registry text stays text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from errcodegen.lang import markdown
from errcodegen.lang.words import safe_text_lines
from errcodegen.pipeline import prepare

from .conftest import HOSTILE_ACTION, HOSTILE_MESSAGE, REPO, SPEC

CATALOG = REPO / "docs" / "errors"
STRUCTURE = {"h1", "h2", "p", "ul", "li", "a", "code", "br"}
TABLES = {"table", "thead", "tbody", "tr", "th", "td"}


class Rendered(HTMLParser):
    """Tags, link targets and the text of each body row's cells."""

    def __init__(self, markdown: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self._in_body = False
        self._in_cell = False
        self.feed(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a" and "href" in dict(attrs):  # an <a id> is an anchor, not a link
            self.links.append(dict(attrs).get("href") or "")
        self._in_body = self._in_body or tag == "tbody"
        if self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self.rows[-1].append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        self._in_body = self._in_body and tag != "tbody"
        self._in_cell = self._in_cell and tag != "td"

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1][-1] += data


def test_index_links_every_module_page() -> None:
    ir = prepare(SPEC).ir
    index = Rendered((CATALOG / "index.md").read_text(encoding="utf-8"))
    assert index.tags <= STRUCTURE | TABLES
    pages = [link for link in index.links if link.endswith(".md")]
    assert len(pages) == len(ir.modules)
    assert all((CATALOG / page).is_file() for page in pages)
    assert "catalog.html" in index.links


def test_every_module_table_has_one_full_row_per_code() -> None:
    ir = prepare(SPEC).ir
    for module in ir.modules:
        page = Rendered((CATALOG / (module.name.replace("/", ".") + ".md")).read_text())
        assert page.tags <= STRUCTURE | TABLES
        assert [row[0] for row in page.rows] == [code.key for code in module.codes]
        assert all(len(row) == 9 for row in page.rows)
        for row, code in zip(page.rows, module.codes, strict=True):
            assert row[6] == code.message + code.description  # joined by a line break
            assert row[7] == (code.action or "-")


def test_every_code_says_what_decided_its_category() -> None:
    """The registry's category_evidence and category_note reach each code's entry."""
    ir = prepare(SPEC).ir
    basis = 0
    for module in ir.modules:
        text = (CATALOG / (module.name.replace("/", ".") + ".md")).read_text(encoding="utf-8")
        basis += text.count("\n  - Category ")
        for code in module.codes:
            if code.category_evidence == "review":
                reviewed = f"decided by a review: {markdown.text(code.category_note)}\n"
                assert f"  - Category {code.category}, {reviewed}" in text, code.key
    assert basis == sum(1 for code in ir.codes if code.category_evidence or code.category_note)
    veid = (CATALOG / "veid.md").read_text(encoding="utf-8")
    assert (
        "  - Category external, decided by a review: x/veid/keeper/scoring.go:472: returned when"
        " the ML scorer (TensorFlow sidecar/model server) is unhealthy or its Score call fails"
    ) in veid


def test_hostile_registry_text_renders_as_text(hostile_root: Path) -> None:
    page = Rendered((hostile_root / "docs/errors/hostile.md").read_text(encoding="utf-8"))
    # no script, img, emphasis, strike-through or heading from the registry's text
    assert page.tags <= STRUCTURE | TABLES
    assert page.links == ["index.md", "catalog.html"]
    (hostile, quiet) = page.rows
    assert len(hostile) == len(quiet) == 9
    assert hostile[6] == HOSTILE_MESSAGE.replace("\n", "")  # lines separated by <br>
    assert hostile[7] == HOSTILE_ACTION


MARKUP = "\\`*_[]()<>|~$&#!-+=.:;'\" \t\n\r{}/abc1é²\u00a0\u2028\u200b\x00"
any_text = st.text(st.one_of(st.sampled_from(MARKUP), st.characters()), max_size=40)


def shown(value: str) -> str:
    """What a reader sees of ``markdown.text(value)``: its lines, trimmed, side by side."""
    return "".join(line.strip() for line in safe_text_lines(value))


@settings(max_examples=400, deadline=None)
@given(any_text, any_text)
def test_escaped_text_is_exactly_the_text_in_a_table_cell(first: str, second: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown.text(first)} | {markdown.code(second)} |\n"
    rendered = Rendered(table)
    assert rendered.tags <= TABLES | {"br", "code"}
    (row,) = rendered.rows
    assert row[0] == shown(first)
    assert row[1].strip() == " ".join(safe_text_lines(second)).strip()


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_escaped_paragraph_is_one_paragraph_of_exactly_the_text(value: str) -> None:
    html = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .render(markdown.paragraph(value) + "\n")
    )
    parser = Rendered("")
    parser.feed(html)
    assert parser.tags <= {"p", "br"}
    assert _text_of(html) == shown(value)


def _text_of(html: str) -> str:
    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return "".join(parser.parts).strip("\n")

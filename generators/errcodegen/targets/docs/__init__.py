"""The error catalog: a Markdown index, one Markdown page per module, one searchable HTML page.

The HTML page is self-contained (inline style and script, no other request) and its
Content-Security-Policy allows only that style and that script, by hash: even a registry
string that slipped past the escaper could not run code.
"""

from __future__ import annotations

import base64
import hashlib

from errcodegen.ir import IR
from errcodegen.lang import html, markdown
from errcodegen.targets import Target
from errcodegen.targets.common import template_env
from errcodegen.targets.docs.view import Catalog, build_catalog
from errcodegen.targets.layout import ALERTS_FOLDER, rules_file
from errcodegen.targets.layout import CATALOG_FOLDER as FOLDER
from errcodegen.writer import Files

INDEX = "index.md"
HTML_PAGE = "catalog.html"

_ENV = template_env(
    __name__,
    {
        "md": markdown.text,
        "md_paragraph": markdown.paragraph,
        "md_code": markdown.code,
        "md_link": markdown.link,
        "html": html.text,
        "attr": html.attribute,
    },
)


def render(ir: IR) -> Files:
    catalog = build_catalog(ir, f"{ALERTS_FOLDER}/{rules_file(ir)}")
    files: dict[str, str] = {
        INDEX: _ENV.get_template("index.md.j2").render(ir=ir, catalog=catalog),
        HTML_PAGE: render_html(catalog),
    }
    module_template = _ENV.get_template("module.md.j2")
    for page in catalog.modules:
        files[page.page] = module_template.render(ir=ir, catalog=catalog, page=page)
    return files


def render_html(catalog: Catalog) -> str:
    style = _ENV.get_template("catalog.css.j2").render()
    script = _ENV.get_template("catalog.js.j2").render()
    return _ENV.get_template("catalog.html.j2").render(
        ir=catalog.ir,
        catalog=catalog,
        style=style,
        style_hash=csp_hash(style),
        script=script,
        script_hash=csp_hash(script),
    )


def csp_hash(source: str) -> str:
    """A CSP source expression allowing exactly this inline style or script."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


TARGET = Target("docs", FOLDER, render)

"""The source pages, for a CDS committee: `GET /sources` lists the source documents, `GET /sources/{short_name}`
shows one document (its title, date, publisher and review status as the document states them, what it covers)
and every guideline statement of it that a rule relies on: our paraphrase with its parameters, the section and
lines it rests on, the evidence grade and caveats of the source, and the rules that use it with their hooks.

HTML by default (styled, printable, no script), JSON with `Accept: application/json`. No client JWT: the pages
hold no patient data. Only statements are listed: a rule that rests on none contributes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cds_service.engine.statements import Param, SourceDocument, Statement
from cds_service.engine.types import ALL_HOOKS, Rule
from cds_service.errors import NotFound
from hooks.bibliography import SOURCES
from hooks.rules import ALL_RULES

STYLE = (Path(__file__).resolve().parent / "sources.css").read_text(encoding="utf-8")
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept",
}
"""The page's one inline stylesheet is allowed by its hash; nothing else (no script, no image, no form)."""

PENDING_REVIEW = "The document marks itself as pending human review"
NOT_MARKED = "The document does not mark itself as pending review"
NOT_STATED = "not stated"
HOOK_MOMENTS = {
    "patient-view": "when a patient's chart is opened",
    "order-select": "when a clinician selects an order",
    "order-sign": "when a clinician signs orders",
}

router = APIRouter()


@dataclass(frozen=True, slots=True)
class StatementUse:
    """A statement of a document and the rules that rely on it, in the order they are declared."""

    statement: Statement
    rules: tuple[Rule, ...]

    @property
    def hooks(self) -> tuple[str, ...]:
        return _in_hook_order(h for r in self.rules for h in r.hooks)


def statement_uses(document: SourceDocument, rules: Iterable[Rule]) -> tuple[StatementUse, ...]:
    """Every statement of `document` that a rule relies on, once, in line order (then in order of first use)."""
    found: dict[int, tuple[Statement, list[Rule]]] = {}
    for rule in rules:
        for statement in rule.statements:
            if statement.document.short_name != document.short_name:
                continue
            _, users = found.setdefault(id(statement), (statement, []))
            if all(u.id != rule.id for u in users):
                users.append(rule)
    uses = [StatementUse(statement, tuple(users)) for statement, users in found.values()]
    return tuple(sorted(uses, key=lambda use: use.statement.lines))


def _in_hook_order(hooks: Iterable[str]) -> tuple[str, ...]:
    present = set(hooks)
    return (*(h for h in ALL_HOOKS if h in present), *sorted(present - set(ALL_HOOKS)))


def review_status(document: SourceDocument) -> str:
    return PENDING_REVIEW if document.unreviewed else NOT_MARKED


# JSON


def document_json(document: SourceDocument, rules: Iterable[Rule], base_url: str) -> dict[str, Any]:
    return {
        **_summary_json(document, base_url),
        "statements": [_statement_json(use) for use in statement_uses(document, rules)],
    }


def index_json(documents: Iterable[SourceDocument], rules: Sequence[Rule], base_url: str) -> dict[str, Any]:
    return {
        "sources": [
            {**_summary_json(d, base_url), "statementCount": len(statement_uses(d, rules))} for d in documents
        ]
    }


def _summary_json(document: SourceDocument, base_url: str) -> dict[str, Any]:
    return {
        "shortName": document.short_name,
        "url": f"{base_url.rstrip('/')}/sources/{document.short_name}",
        "title": document.title,
        "date": document.date,
        "publisher": document.publisher,
        "unreviewed": document.unreviewed,
        "reviewStatus": review_status(document),
        "covers": document.covers,
    }


def _statement_json(use: StatementUse) -> dict[str, Any]:
    statement = use.statement
    first, last = statement.lines
    return {
        "text": statement.text(),
        "section": statement.section,
        "lines": {"first": first, "last": last},
        "params": [
            {"name": name, "value": param.value, "unit": param.unit or None, "text": str(param)}
            for name, param in statement.params.items()
        ],
        "grade": statement.grade,
        "caveats": list(statement.caveats),
        "rules": [{"id": r.id, "title": r.title, "hooks": list(_in_hook_order(r.hooks))} for r in use.rules],
        "hooks": list(use.hooks),
    }


# HTML


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _stated(value: str | None) -> str:
    return _e(value) if value else f'<span class="not-stated">{NOT_STATED}</span>'


def _lines(lines: tuple[int, int]) -> str:
    first, last = lines
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _facts(document: SourceDocument) -> str:
    review_class = ' class="review-pending"' if document.unreviewed else ""
    return (
        '<dl class="facts">'
        f"<dt>Publisher</dt><dd>{_stated(document.publisher)}</dd>"
        f"<dt>Date</dt><dd>{_stated(document.date)}</dd>"
        f"<dt>Review status</dt><dd{review_class}>{_e(review_status(document))}</dd>"
        f"<dt>Covers</dt><dd>{_e(document.covers)}</dd>"
        "</dl>"
    )


def _params_table(params: Mapping[str, Param]) -> str:
    if not params:
        return ""
    rows = "".join(
        f"<tr><td>{_e(name.replace('_', ' '))}</td><td>{_e(f'{p.value:g}')}</td>"
        f"<td>{_e(p.unit) if p.unit else '—'}</td></tr>"
        for name, p in params.items()
    )
    return (
        '<table class="params"><caption>Parameters</caption>'
        "<thead><tr><th>Parameter</th><th>Value</th><th>Unit</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _caveats(caveats: Sequence[str]) -> str:
    if not caveats:
        return ""
    items = "".join(f"<li>{_e(c)}</li>" for c in caveats)
    return f'<div class="caveats"><p>Caveats of the source</p><ul>{items}</ul></div>'


def _hooks_html(hooks: Iterable[str]) -> str:
    items = "".join(f"<li>{_e(h)}</li>" for h in _in_hook_order(hooks))
    return f'<ul class="hooks">{items}</ul>'


def _rules_table(rules: Sequence[Rule]) -> str:
    rows = "".join(
        f'<tr><td class="rule-id">{_e(r.id)}</td><td>{_e(r.title)}</td><td>{_hooks_html(r.hooks)}</td></tr>'
        for r in rules
    )
    return (
        '<table class="rules"><caption>Used by</caption>'
        '<colgroup><col class="rule-id"><col><col class="hooks"></colgroup>'
        "<thead><tr><th>Rule</th><th>Title</th><th>Runs on</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _statement_html(number: int, use: StatementUse) -> str:
    statement = use.statement
    where = f"Section <strong>{_e(statement.section)}</strong> · {_e(_lines(statement.lines))}"
    if statement.grade:
        where += f" · evidence grade <strong>{_e(statement.grade)}</strong>"
    return (
        f'<article class="statement" id="statement-{number}">'
        f'<p class="text">{_e(statement.text())}</p>'
        f'<p class="where">{where}</p>'
        f"{_caveats(statement.caveats)}"
        f'<div class="uses">{_params_table(statement.params)}{_rules_table(use.rules)}</div>'
        "</article>"
    )


def _hooks_legend() -> str:
    items = "".join(f'<dt class="hook">{_e(h)}</dt><dd>{_e(m)}</dd>' for h, m in HOOK_MOMENTS.items())
    return f"<p>The hooks a rule runs on:</p><dl>{items}</dl>"


def document_page(document: SourceDocument, rules: Iterable[Rule]) -> str:
    uses = statement_uses(document, rules)
    if uses:
        count = "1 statement" if len(uses) == 1 else f"{len(uses)} statements"
        statements = (
            f"<h2>Statements the service relies on ({count})</h2>"
            '<p class="note">Each statement is our paraphrase of the lines named, with the values the rules '
            "compare with; the source's own words are in the document.</p>"
            + "".join(_statement_html(n, use) for n, use in enumerate(uses, start=1))
        )
    else:
        statements = (
            "<h2>Statements the service relies on</h2>"
            '<p class="empty">No rule of the service rests on a statement of this document yet.</p>'
        )
    body = (
        '<nav><a href="../sources">All sources</a></nav>'
        '<header><p class="kicker">Source of the peritoneal metastasis decision support</p>'
        f"<h1>{_e(document.title)}</h1>{_facts(document)}</header>"
        f"<main>{statements}</main>"
        f"<footer>{_hooks_legend()}</footer>"
    )
    return _page(document.title, body)


def index_page(documents: Iterable[SourceDocument], rules: Sequence[Rule]) -> str:
    items = []
    for document in documents:
        count = len(statement_uses(document, rules))
        review = f'<p class="review-pending">{_e(PENDING_REVIEW)}.</p>' if document.unreviewed else ""
        items.append(
            f'<li><h2><a href="sources/{_e(document.short_name)}">{_e(document.title)}</a></h2>'
            f"<p>Publisher: {_stated(document.publisher)} · Date: {_stated(document.date)}</p>"
            f"{review}<p>{_e(document.covers)}</p>"
            f"<p>{count} statement{'' if count == 1 else 's'} relied on by the service's rules</p></li>"
        )
    body = (
        '<header><p class="kicker">Peritoneal metastasis decision support</p>'
        "<h1>Sources of the guidance</h1>"
        '<p class="note">The documents the service\'s rules rest on and, for each, how many of its '
        "statements the rules rely on.</p></header>"
        f'<main><ul class="documents">{"".join(items)}</ul></main>'
    )
    return _page("Sources of the guidance", body)


# Routes


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _json(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps(data), media_type="application/json", headers={"Vary": "Accept"})


def _base_url(request: Request) -> str:
    return request.app.state.runtime.settings.public_base_url or str(request.base_url)


@router.get("/sources", response_model=None)
def list_sources(request: Request) -> Response:
    """The source documents of the guidance (HTML; JSON with `Accept: application/json`)."""
    if _wants_json(request):
        return _json(index_json(SOURCES.values(), ALL_RULES, _base_url(request)))
    return HTMLResponse(index_page(SOURCES.values(), ALL_RULES), headers=SECURITY_HEADERS)


@router.get("/sources/{short_name}", response_model=None)
def get_source(short_name: str, request: Request) -> Response:
    """One source document and the statements of it the rules rely on (HTML; JSON with
    `Accept: application/json`)."""
    document = SOURCES.get(short_name)
    if document is None:
        raise NotFound(f"no source named '{short_name[:64]}'", ["short_name"])
    if _wants_json(request):
        return _json(document_json(document, ALL_RULES, _base_url(request)))
    return HTMLResponse(document_page(document, ALL_RULES), headers=SECURITY_HEADERS)

"""The source pages for a CDS committee: `GET /sources` lists the four documents, `GET /sources/{name}` shows one
document and each statement of it that a rule relies on (our paraphrase with its parameters, section, lines,
grade, caveats, the rules and their hooks), as printable HTML or as JSON.

Fixed content comes from a fake rule set on the real documents (the registry's rules move to statements one module
at a time); the tests on the real registry hold whatever statements exist. The browser tests drive Debian's
Chromium with playwright (skipped with a reason where either is absent; `.ci/run` installs Chromium).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds_service.app import create_app
from cds_service.engine.cards import unreviewed_note
from cds_service.engine.statements import Param, SourceDocument, Statement
from cds_service.engine.types import Finding, HookContext, Rule, rule
from cds_service.settings import Settings
from cds_service.web import sources
from fhir_mappings.facts import ClinicalPicture
from hooks.bibliography import CERVICAL_OMENTAL, CRC_PM_REVIEW, HCC_LUNG_PM, SOURCES
from hooks.rules import ALL_RULES
from tests.auth_keys import PUBLIC_BASE
from tests.conftest import CheckedClient
from tests.live_server import free_port, serving

JSON = {"Accept": "application/json"}

HOLD = Statement(
    CERVICAL_OMENTAL,
    "Toxicity management",
    (61, 64),
    "Hold bevacizumab for at least {days} before elective surgery.",
    {"days": Param(28, "days")},
    caveats=("Wound-healing data come from colorectal trials.",),
)
DOSE = Statement(
    CERVICAL_OMENTAL,
    "First-line regimens",
    (30, 33),
    "Give bevacizumab {dose} every {interval} with the platinum doublet.",
    {"dose": Param(15, "mg/kg"), "interval": Param(3, "weeks")},
    grade="category 1",
)
PCI = Statement(
    CRC_PM_REVIEW,
    "Patient selection",
    (120, 122),
    "Offer CRS/HIPEC when the peritoneal cancer index is below {pci_limit}.",
    {"pci_limit": Param(20)},
)


def _nothing(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    return None


def fake_rule(id: str, title: str, hooks: tuple[str, ...], *statements: Statement) -> Rule:
    return rule(id=id, title=title, hooks=hooks, requires=(), statements=statements, version="1")(_nothing)


FAKE_RULES = (
    fake_rule("BEV-SURG-BEFORE", "Bevacizumab ordered before surgery", ("order-sign", "order-select"), HOLD),
    fake_rule("CERV-FIRSTLINE", "Cervical first-line therapy", ("patient-view",), DOSE, HOLD),
    fake_rule("HIPEC-CRC-PCI", "CRS/HIPEC and the PCI", ("patient-view", "order-select"), PCI),
    Rule(  # a rule not yet on statements contributes nothing
        id="OLD-RULE",
        title="A rule that still cites lines",
        hooks=frozenset({"patient-view"}),
        requires=frozenset(),
        statements=(),
        version="1",
        evaluate=_nothing,
    ),
)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> tuple[Rule, ...]:
    monkeypatch.setattr(sources, "ALL_RULES", FAKE_RULES)
    return FAKE_RULES


def test_a_document_lists_each_statement_once_in_line_order_with_params_section_lines_rules_and_hooks(
    client: CheckedClient, fake_rules: tuple[Rule, ...]
) -> None:
    response = client.get("/sources/CERVICAL-OMENTAL", headers=JSON)  # no JWT: the pages hold no patient data

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    assert data["title"] == CERVICAL_OMENTAL.title
    assert (data["date"], data["publisher"]) == (CERVICAL_OMENTAL.date, CERVICAL_OMENTAL.publisher)
    assert data["covers"] == CERVICAL_OMENTAL.covers
    assert data["url"] == f"{PUBLIC_BASE}/sources/CERVICAL-OMENTAL"
    assert [s["text"] for s in data["statements"]] == [
        "Give bevacizumab 15 mg/kg every 3 weeks with the platinum doublet.",
        "Hold bevacizumab for at least 28 days before elective surgery.",
    ]
    dose, hold = data["statements"]
    assert dose["params"] == [
        {"name": "dose", "value": 15, "unit": "mg/kg", "text": "15 mg/kg"},
        {"name": "interval", "value": 3, "unit": "weeks", "text": "3 weeks"},
    ]
    assert (dose["section"], dose["lines"], dose["grade"]) == (
        "First-line regimens",
        {"first": 30, "last": 33},
        "category 1",
    )
    assert dose["rules"] == [
        {"id": "CERV-FIRSTLINE", "title": "Cervical first-line therapy", "hooks": ["patient-view"]}
    ]
    assert hold["caveats"] == ["Wound-healing data come from colorectal trials."]
    assert hold["grade"] is None
    assert [r["id"] for r in hold["rules"]] == ["BEV-SURG-BEFORE", "CERV-FIRSTLINE"]
    assert hold["rules"][0]["hooks"] == ["order-select", "order-sign"]
    assert hold["hooks"] == ["patient-view", "order-select", "order-sign"]


def test_a_statement_without_a_unit_or_a_grade_says_none(
    client: CheckedClient, fake_rules: tuple[Rule, ...]
) -> None:
    (pci,) = client.get("/sources/CRC-PM-REVIEW", headers=JSON).json()["statements"]
    assert pci["text"] == "Offer CRS/HIPEC when the peritoneal cancer index is below 20."
    assert pci["params"] == [{"name": "pci_limit", "value": 20, "unit": None, "text": "20"}]
    assert (pci["grade"], pci["caveats"]) == (None, [])


def test_review_status_and_what_a_document_does_not_state(
    client: CheckedClient, fake_rules: tuple[Rule, ...]
) -> None:
    cervical = client.get("/sources/CERVICAL-OMENTAL", headers=JSON).json()
    assert cervical["unreviewed"] is True
    assert cervical["reviewStatus"] == "The document marks itself as pending human review"
    hcc = client.get("/sources/HCC-LUNG-PM", headers=JSON).json()
    assert (hcc["unreviewed"], hcc["publisher"], hcc["date"], hcc["statements"]) == (False, None, None, [])

    page = client.get("/sources/HCC-LUNG-PM").text
    assert page.count('<span class="not-stated">not stated</span>') == 2  # publisher and date
    assert "pending human review" not in page
    assert "No rule of the service rests on a statement of this document yet." in page
    assert "The document marks itself as pending human review" in client.get("/sources/CERVICAL-OMENTAL").text


def test_the_html_page_shows_each_statement_with_its_parameters_section_lines_and_rules(
    client: CheckedClient, fake_rules: tuple[Rule, ...]
) -> None:
    response = client.get("/sources/CERVICAL-OMENTAL")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "Accept" in response.headers["vary"]
    page = response.text
    assert f"<title>{CERVICAL_OMENTAL.title}</title>" in page
    assert f"<h1>{CERVICAL_OMENTAL.title}</h1>" in page
    dose, hold = (
        page.index("Give bevacizumab 15 mg/kg every 3"),
        page.index("Hold bevacizumab for at least 28"),
    )
    assert dose < hold
    assert page.count('<article class="statement"') == 2
    assert "Section <strong>Toxicity management</strong> · lines 61–64" in page
    assert "evidence grade <strong>category 1</strong>" in page
    assert "<tr><td>dose</td><td>15</td><td>mg/kg</td></tr>" in page
    assert "<tr><td>pci limit</td>" not in page  # another document's statement
    assert "Wound-healing data come from colorectal trials." in page
    assert '<td class="rule-id">BEV-SURG-BEFORE</td><td>Bevacizumab ordered before surgery</td>' in page
    assert '<ul class="hooks"><li>order-select</li><li>order-sign</li></ul>' in page
    assert "OLD-RULE" not in page
    assert "<script" not in page
    assert "{days}" not in page


def test_the_pages_carry_no_developer_notes(client: CheckedClient) -> None:
    """The real registry: no docstring, no internal constant, whatever statements exist so far."""
    for short_name in SOURCES:
        page = client.get(f"/sources/{short_name}").text
        for registered in ALL_RULES:
            doc = inspect.getdoc(registered.evaluate)
            if doc:
                assert doc.split("\n")[0] not in page, registered.id
        assert not re.search(r"\b[A-Z]+(?:_[A-Z]+)+\b", page), short_name  # MOLECULAR_PANEL and the like
        assert "l." not in re.sub(r"<[^>]+>", " ", page).split(), short_name


def test_every_statement_of_the_registry_is_listed_once_on_its_document(client: CheckedClient) -> None:
    listed: dict[str, list[str]] = {}
    for short_name in SOURCES:
        data = client.get(f"/sources/{short_name}", headers=JSON).json()
        listed[short_name] = [s["text"] for s in data["statements"]]
        lines = [(s["lines"]["first"], s["lines"]["last"]) for s in data["statements"]]
        assert lines == sorted(lines), short_name
        for statement in data["statements"]:
            assert statement["rules"] and statement["hooks"], statement["text"]
    expected: dict[str, set[str]] = {name: set() for name in SOURCES}
    for registered in ALL_RULES:
        for statement in registered.statements:
            expected[statement.document.short_name].add(statement.text())
    assert {name: set(texts) for name, texts in listed.items()} == expected
    assert all(len(texts) == len(set(texts)) for texts in listed.values())


def test_text_is_escaped_everywhere(client: CheckedClient, monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = '<script>alert("x")</script>'
    document = SourceDocument(
        "HOSTILE-DOC", "guidelines/x.txt", f"Title {hostile}", f"Pub {hostile}", None, f"Covers {hostile}", 9
    )
    statement = Statement(
        document,
        f"Section {hostile}",
        (2, 3),
        "Say {value} & more <b>bold</b>.",
        {"value": Param(5, "<i>mg</i>")},
        grade=f"grade {hostile}",
        caveats=(f"caveat {hostile}",),
    )
    monkeypatch.setattr(sources, "SOURCES", {document.short_name: document})
    monkeypatch.setattr(
        sources, "ALL_RULES", (fake_rule("X-RULE", f"Rule {hostile}", ("patient-view",), statement),)
    )

    for path in ("/sources/HOSTILE-DOC", "/sources"):
        page = client.get(path).text
        assert "<script>" not in page and "<b>" not in page and "<i>" not in page, path
        assert "Title &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, path
    page = client.get("/sources/HOSTILE-DOC").text
    assert "Say 5 &lt;i&gt;mg&lt;/i&gt; &amp; more &lt;b&gt;bold&lt;/b&gt;." in page
    # title (twice), publisher, covers, section, grade, caveat, rule title
    assert page.count("&lt;script&gt;") == 8
    # JSON carries the text as it is
    data = client.get("/sources/HOSTILE-DOC", headers=JSON).json()
    assert data["statements"][0]["text"] == "Say 5 <i>mg</i> & more <b>bold</b>."


def test_an_unknown_source_is_a_404_operation_outcome(client: CheckedClient) -> None:
    for headers in ({}, JSON):
        response = client.get("/sources/NOPE", headers=headers)
        assert response.status_code == 404
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "not-found"
        assert outcome["issue"][0]["expression"] == ["short_name"]


def test_the_list_names_all_four_documents_with_their_statement_counts(
    client: CheckedClient, fake_rules: tuple[Rule, ...]
) -> None:
    data = client.get("/sources", headers=JSON).json()
    assert [(s["shortName"], s["statementCount"]) for s in data["sources"]] == [
        ("CARCINOMATOSIS-OVERVIEW", 0),
        ("HCC-LUNG-PM", 0),
        ("CERVICAL-OMENTAL", 2),
        ("CRC-PM-REVIEW", 1),
    ]
    assert data["sources"][2]["url"] == f"{PUBLIC_BASE}/sources/CERVICAL-OMENTAL"
    assert [s["unreviewed"] for s in data["sources"]] == [False, False, True, False]

    response = client.get("/sources")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for document in (CERVICAL_OMENTAL, HCC_LUNG_PM, CRC_PM_REVIEW):
        assert f'<a href="sources/{document.short_name}">{document.title}</a>' in page
    assert "2 statements relied on by the service's rules" in page
    assert "1 statement relied on" in page
    assert page.count("The document marks itself as pending human review.") == 1


def test_statement_uses_dedupes_by_statement_and_rule_and_sorts_by_lines() -> None:
    twice = fake_rule("TWICE", "Cites the hold twice", ("order-sign",), HOLD, HOLD)
    uses = sources.statement_uses(CERVICAL_OMENTAL, (*FAKE_RULES, twice, twice))
    assert [u.statement for u in uses] == [DOSE, HOLD]
    assert [r.id for r in uses[1].rules] == ["BEV-SURG-BEFORE", "CERV-FIRSTLINE", "TWICE"]


# In Chromium

CHROMIUM = Path(os.environ.get("CDS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
try:
    sync_api: Any = importlib.import_module("playwright.sync_api")
except ImportError:  # pragma: no cover - playwright is a dev dependency
    sync_api = None

in_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() or sync_api is None,
    reason=f"needs {CHROMIUM} (apt-get install chromium, as .ci/run does) and playwright (pip install -e '.[dev]')",
)


@pytest.fixture
def served(tmp_path: Path, fake_rules: tuple[Rule, ...]) -> Iterator[str]:
    database = f"sqlite:///{tmp_path / 'cds.sqlite3'}"
    settings = Settings(dev=True, database_url=database, trusted_clients=None, log_level="WARNING")
    with serving(create_app(settings), free_port()) as base:
        yield base


@pytest.fixture
def page() -> Iterator[Any]:
    assert sync_api is not None
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.set_default_timeout(15_000)
            page.problems = []
            page.on("pageerror", lambda error: page.problems.append(str(error)))
            page.on("console", lambda message: page.problems.append(message.text))  # a CSP refusal says so
            yield page
        finally:
            browser.close()


@in_chromium
def test_a_source_page_shows_its_title_and_statements_styled_and_printable(
    served: str, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{served}/sources/CERVICAL-OMENTAL")

    assert page.title() == CERVICAL_OMENTAL.title
    assert page.locator("h1").inner_text() == CERVICAL_OMENTAL.title
    statement = page.locator("article.statement").nth(1)
    assert statement.is_visible()
    assert statement.locator(".text").inner_text() == HOLD.text()
    assert statement.locator(".where").inner_text() == "Section Toxicity management · lines 61–64"
    assert statement.locator("table.rules tbody tr").count() == 2
    review = page.locator(".review-pending")
    assert review.inner_text() == "The document marks itself as pending human review"
    # the inline stylesheet applies (its hash is in the Content-Security-Policy)
    assert statement.evaluate("node => getComputedStyle(node).borderLeftWidth") == "6px"
    assert page.locator("nav").is_visible()
    page.screenshot(path=str(tmp_path / "source-cervical-omental.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert statement.evaluate("node => getComputedStyle(node).breakInside") == "avoid"
    assert page.problems == []


@in_chromium
def test_the_list_links_to_each_source_page(served: str, page: Any) -> None:
    page.goto(f"{served}/sources")
    assert page.locator(".documents li").count() == len(SOURCES)

    page.click(f"text={CRC_PM_REVIEW.title}")
    page.wait_for_url(f"{served}/sources/CRC-PM-REVIEW")
    assert page.locator("article.statement .text").all_inner_texts() == [
        "Offer CRS/HIPEC when the peritoneal cancer index is below 20."
    ]
    page.click("text=All sources")
    page.wait_for_url(f"{served}/sources")
    assert page.problems == []


def test_the_unreviewed_note_names_the_document_that_calls_itself_unreviewed() -> None:
    """A card resting on the cervical summary (pending human review, l.4) names it; a card resting only on the
    colorectal review says nothing of review (review of issue #16: the note was on every card)."""
    assert unreviewed_note(fake_rule("MIXED", "Mixed sources", ("patient-view",), PCI, HOLD)) == (
        f"\n\n_“{CERVICAL_OMENTAL.title}” calls itself pending human review._"
    )
    assert unreviewed_note(fake_rule("CRC", "Colorectal only", ("patient-view",), PCI)) == ""

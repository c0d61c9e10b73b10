"""The preview page in a real headless Chromium (Debian's `chromium`, /usr/bin/chromium, driven by playwright; no
browser download): the bevacizumab example fired from the page renders a critical card with its two suggestions,
markup in service text is shown as text and never runs, and a clicked suggestion is stored as feedback.

The service runs in this process (uvicorn in a thread, development mode without trusted clients, a SQLite file in
the test's tmp folder) on a free loopback port. Skipped with a reason where Chromium or playwright is absent;
`.ci/run` installs Chromium.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from cds_service.app import create_app
from cds_service.settings import Settings
from tests.live_server import free_port, serving

CHROMIUM = Path(os.environ.get("CDS_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EXAMPLE = "order-select-bevacizumab-14-days-before-laparotomy"
SERVICE = "peritoneal-metastasis-order-select"
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Laparotomy'
TIMEOUT_MS = 15_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is absent: install Debian's chromium package (apt-get install chromium), as .ci/run does",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)


@dataclass
class Running:
    url: str
    app: FastAPI


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Running]:
    settings = Settings(
        dev=True,
        database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}",
        trusted_clients=None,
        log_level="WARNING",
    )
    app = create_app(settings)
    port = free_port()
    with serving(app, port) as base:
        yield Running(base, app)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 1400})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.on(
                "dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss())
            )
            yield page
        finally:
            browser.close()


def open_example(page: Any, url: str) -> None:
    page.goto(f"{url}/preview")
    page.wait_for_selector("body[data-ready='true']")
    page.select_option("#example", EXAMPLE)
    page.select_option("#service", SERVICE)


def fire(page: Any) -> None:
    page.click("#fire")
    page.wait_for_selector("#cards[data-state='done'], #cards[data-state='error']")
    assert page.get_attribute("#cards", "data-state") == "done", page.text_content("#response")


def test_bevacizumab_example_renders_a_critical_card_and_an_accepted_suggestion_is_stored(
    service: Running, page: Any, tmp_path: Path
) -> None:
    open_example(page, service.url)
    request = json.loads(page.input_value("#request"))
    assert request["hook"] == "order-select"
    assert request["context"]["selections"] == ["MedicationRequest/bev-draft-1"]

    fire(page)

    cards = page.locator("#cards article.card")
    assert cards.count() == 1
    card = cards.first
    assert card.get_attribute("data-indicator") == "critical"
    assert "card-critical" in (card.get_attribute("class") or "")
    colour = card.evaluate("node => getComputedStyle(node).borderLeftColor")
    assert colour == "rgb(198, 40, 40)"
    assert (
        card.locator(".summary").inner_text().startswith("Withhold bevacizumab: dose 2031-03-03 is 14 days")
    )
    assert card.locator(".topic").inner_text() == "BEV-SURG-BEFORE"
    assert card.locator(".detail strong").first.inner_text() == "Bevacizumab order"  # markdown bold
    assert card.locator(".detail ul ul li").count() == 2  # nested list
    source = card.locator(".source a")
    assert source.get_attribute("href") == f"{service.url}/sources/CERVICAL-OMENTAL"
    buttons = card.locator("button.suggestion-button")
    assert buttons.all_inner_texts() == ["Remove the bevacizumab order", "Start bevacizumab on 2031-04-14"]
    assert "delete: Remove the draft bevacizumab order" in card.locator(".actions").first.inner_text()
    assert card.locator("select.override-reason option").count() == 3
    response = json.loads(page.text_content("#response").split("\n", 1)[1])
    assert response["cards"][0]["source"]["topic"]["code"] == "BEV-SURG-BEFORE"
    page.screenshot(path=str(tmp_path / "preview-bevacizumab-critical.png"), full_page=True)

    buttons.nth(1).click()
    page.wait_for_selector("#cards article.card[data-feedback='accepted']")

    assert card.locator(".outcome").inner_text() == "Accepted: Start bevacizumab on 2031-04-14"
    stored = service.app.state.store.items(SERVICE)
    assert len(stored) == 1
    assert stored[0]["card_uuid"] == response["cards"][0]["uuid"]
    assert stored[0]["outcome"] == "accepted"
    assert json.loads(stored[0]["accepted_suggestions"]) == [
        {"id": response["cards"][0]["suggestions"][1]["uuid"]}
    ]
    assert page.errors == []


def test_an_override_reason_is_posted_as_overridden_feedback(service: Running, page: Any) -> None:
    open_example(page, service.url)
    fire(page)

    card = page.locator("#cards article.card").first
    card.locator("select.override-reason").select_option(label="Dates in the record are not current")
    card.locator("input.override-comment").fill("surgery moved")
    card.locator("button.override-button").click()
    page.wait_for_selector("#cards article.card[data-feedback='overridden']")

    stored = service.app.state.store.items(SERVICE)
    assert [row["outcome"] for row in stored] == ["overridden"]
    reason = json.loads(stored[0]["override_reason"])
    assert reason["reason"]["code"] == "dates-incorrect"
    assert reason["userComment"] == "surgery moved"


def test_the_booking_example_fires_at_the_appointment_book_service_and_shows_both_suggestions(
    service: Running, page: Any
) -> None:
    page.goto(f"{service.url}/preview")
    page.wait_for_selector("body[data-ready='true']")
    page.select_option("#example", "appointment-book-laparotomy-10-days-after-bevacizumab")
    assert page.input_value("#service") == "peritoneal-metastasis-appointment-book"
    fire(page)
    card = page.locator("#cards article.card").first
    assert (
        card.locator(".summary")
        .inner_text()
        .startswith("Laparotomy on 2031-03-13: bevacizumab dose scheduled")
    )
    suggestions = card.inner_text()
    assert "Book the surgery on 2031-03-31" in suggestions and "Keep the appointment as booked" in suggestions
    assert page.errors == []


def test_markup_in_card_text_is_shown_as_text_and_never_runs(service: Running, page: Any) -> None:
    open_example(page, service.url)
    edited = page.input_value("#request").replace('"Laparotomy"', json.dumps(HOSTILE))
    page.fill("#request", edited)

    fire(page)

    card = page.locator("#cards article.card").first
    assert "<script>" in card.locator(".detail").inner_text()
    # the summary shortens the surgery's name to 30 characters: its markup still shows as text
    assert '<img src=x onerror="window.__…' in card.locator(".summary").inner_text()
    assert page.locator("#cards script, #cards img, #cards [onerror]").count() == 0
    page.wait_for_timeout(300)  # an image error handler would have fired by now
    assert page.evaluate("() => window.__xss") is None
    assert page.errors == []


def test_hostile_markdown_from_any_service_text_stays_inert(service: Running, page: Any) -> None:
    """Whatever a (compromised or buggy) service answers: every field rendered, none executed."""
    hostile_card = {
        "uuid": "card-1",
        "summary": "<script>window.__xss='summary'</script>",
        "detail": "**bold** <img src=x onerror=\"window.__xss='detail'\">\n- [x](javascript:window.__xss=1)\n"
        '- [ok](https://example.org/a?b=1&c="2")\n\\*\\*not bold\\*\\*',
        "indicator": "warning\" onmouseover=\"window.__xss='indicator'",
        "source": {"label": "<b>src</b>", "url": "javascript:window.__xss='source'"},
        "suggestions": [
            {"label": "<i>go</i>", "uuid": "s-1", "actions": [{"type": "create", "description": "<u>x</u>"}]}
        ],
        "overrideReasons": [{"code": "c", "display": "<em>r</em>"}],
        "links": [{"label": "<b>l</b>", "url": "javascript:window.__xss='link'", "type": "absolute"}],
    }
    answer = json.dumps({"cards": [hostile_card]})
    page.route(
        f"**/cds-services/{SERVICE}",
        lambda route: route.fulfill(status=200, content_type="application/json", body=answer),
    )
    open_example(page, service.url)

    fire(page)

    card = page.locator("#cards article.card").first
    assert card.get_attribute("data-indicator") == "unknown"
    assert card.locator(".summary").inner_text() == "<script>window.__xss='summary'</script>"
    assert card.locator(".detail strong").inner_text() == "bold"
    assert "**not bold**" in card.locator(".detail").inner_text()
    assert card.locator(".detail a").count() == 1  # only the https link became a link
    assert card.locator(".detail a").get_attribute("href") == 'https://example.org/a?b=1&c="2"'
    assert card.locator("a[href^='javascript']").count() == 0
    assert card.locator(".source").inner_text().startswith("Source: <b>src</b>")
    assert card.locator("button.suggestion-button").inner_text() == "<i>go</i>"
    assert card.locator("select.override-reason option").inner_text() == "<em>r</em>"
    assert page.locator("#cards script, #cards img, #cards b, #cards i, #cards em, #cards u").count() == 0
    card.hover()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None
    assert page.errors == []

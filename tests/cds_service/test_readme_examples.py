"""The README's first example calls answer what the README says they answer.

The decision checked: a bevacizumab course whose first dose falls 14 days before a planned laparotomy gets the
critical BEV-SURG-BEFORE card with delete and move suggestions; a single dose 28 days before gets no card.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, load_json, make_client, suite_settings

ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
EXAMPLES = FIXTURES / "examples"
README = FIXTURES.parent / "README.md"


def call(tmp_path: Path, example: str) -> dict[str, Any]:
    with make_client(suite_settings(tmp_path)) as client:
        response = client.post(ORDER_SELECT, json=load_json(EXAMPLES / example))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_14_days_example_gets_the_critical_card_the_readme_quotes(tmp_path: Path) -> None:
    cards = call(tmp_path, "order-select-bevacizumab-14-days-before-laparotomy.json")["cards"]
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [
        ("BEV-SURG-BEFORE", "critical")
    ]
    assert f'"{cards[0]["summary"]}"' in README.read_text(encoding="utf-8").replace("\n", " ")
    actions = [a for s in cards[0]["suggestions"] for a in s["actions"]]
    assert [a["type"] for a in actions] == ["delete", "update"]
    moved = actions[1]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"]
    assert moved == "2031-04-14"  # laparotomy 2031-03-17 + 28 days


def test_the_single_dose_28_days_example_gets_no_card(tmp_path: Path) -> None:
    assert call(tmp_path, "order-select-bevacizumab-28-days-before-laparotomy.json") == {"cards": []}


def test_the_booking_example_gets_the_move_of_the_appointment(tmp_path: Path) -> None:
    """A laparotomy booked 10 days after a bevacizumab dose: BEV-SURG-SCHEDULE's warning, whose suggestions move
    the whole Appointment 28 days past the dose (same time and duration) or keep it, at most one."""
    with make_client(suite_settings(tmp_path)) as client:
        response = client.post(
            "/cds-services/peritoneal-metastasis-appointment-book",
            json=load_json(EXAMPLES / "appointment-book-laparotomy-10-days-after-bevacizumab.json"),
        )
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert (card["source"]["topic"]["code"], card["indicator"]) == ("BEV-SURG-SCHEDULE", "warning")
    assert card["summary"] == (
        "Laparotomy on 2031-03-13: bevacizumab dose scheduled 2031-03-03; earliest surgery 2031-03-31"
    )
    assert card["selectionBehavior"] == "at-most-one"
    move, keep = card["suggestions"]
    [action] = move["actions"]
    assert (action["type"], action["resource"]["start"], action["resource"]["end"]) == (
        "update",
        "2031-03-31T08:00:00Z",
        "2031-03-31T11:00:00Z",
    )
    assert keep["label"] == "Keep the appointment as booked" and "actions" not in keep

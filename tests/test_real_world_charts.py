"""Charts coded the way EHRs really code them, fired through every hook: the decisions each must show.

fixtures/charts/<primary>/<shape>.json holds one patient's chart (a FHIR R4 collection Bundle) for each primary
(colorectal, hcc, lung, cervical, ovarian, breast) in four shapes:

- `synthea`: SNOMED CT only conditions, Synthea's LOINC codes (creatinine 38483-4), RxNorm SCD/product codes;
- `epic`: ICD-10-CM and SNOMED CT codings with text in one CodeableConcept, Z85.x personal-history conditions,
  RxNorm SCD/SBD codes;
- `oracle`: ICD-10-CM (with SNOMED CT where typical), creatinine in umol/L (14682-9), medications referencing a
  contained Medication coded by ingredient;
- `snomed-only`: a SNOMED-native system: SNOMED CT conditions, LOINC labs, ingredient RxNorm codes.

The charts are written by `python -m tests.chart_definitions` (edit them there, not the JSON). Beside each
chart: `<shape>.drafts.json` (a Bundle of the draft orders the order hooks carry), `<shape>.meta.json` (per
hook, the (rule, indicator) pairs the chart must show, the rule ids it must not show, and optionally words a
card must, or must not, say) and `<shape>.<hook>.expected.json` (the whole response, uuids stripped;
regenerate with CDS_UPDATE_GOLDEN=1 and review the diff). Fetch mode must answer as prefetch does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from tests.chart_definitions import write_charts
from tests.conftest import FIXTURES, load_json, make_client, suite_settings, update_golden, with_fhir_server
from tests.fhir_server import FhirServer, sekmet_holding
from tests.scenario_builder import hook_request
from tests.test_scenarios import strip_uuids

Json = dict[str, Any]

CHARTS_DIR = FIXTURES / "charts"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PRIMARIES = ("colorectal", "hcc", "lung", "cervical", "ovarian", "breast")
SHAPES = ("synthea", "epic", "oracle", "snomed-only")
HOOKS = ("patient-view", "order-select", "order-sign")


def service_id(hook: str) -> str:
    return f"peritoneal-metastasis-{hook}"


@dataclass(frozen=True)
class Chart:
    """One real-world chart of fixtures/charts and the files beside it."""

    primary: str
    shape: str

    @property
    def name(self) -> str:
        return f"{self.primary}/{self.shape}"

    def path(self, suffix: str) -> Path:
        return CHARTS_DIR / self.primary / f"{self.shape}{suffix}"

    def golden(self, hook: str) -> Path:
        return self.path(f".{hook}.expected.json")

    @cached_property
    def resources(self) -> list[Json]:
        bundle: Json = load_json(self.path(".json"))
        return [entry["resource"] for entry in bundle["entry"]]

    @cached_property
    def drafts(self) -> list[Json]:
        bundle: Json = load_json(self.path(".drafts.json"))
        return [entry["resource"] for entry in bundle.get("entry", [])]

    @cached_property
    def meta(self) -> Json:
        meta: Json = load_json(self.path(".meta.json"))
        return meta

    @property
    def patient_id(self) -> str:
        patient = next(r for r in self.resources if r["resourceType"] == "Patient")
        return str(patient["id"])

    def request(self, hook: str) -> Json:
        """The hook request with every prefetch key filled from the chart (prefetch mode)."""
        drafts = self.drafts if hook != "patient-view" else ()
        return hook_request(hook, self.resources, drafts, patient_id=self.patient_id)

    def transaction(self) -> Json:
        """The chart as a transaction Bundle of PUTs with its own ids, to load into a FHIR server."""
        return {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": f"urn:uuid:{r['id']}",
                    "resource": r,
                    "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                }
                for r in self.resources
            ],
        }


CHARTS = [Chart(primary, shape) for primary in PRIMARIES for shape in SHAPES]
CASES = [(chart, hook) for chart in CHARTS for hook in HOOKS]


CASE_IDS = [f"{chart.name}/{hook}" for chart, hook in CASES]


def fire(tmp_path: Path, chart: Chart, hook: str, request: Json) -> Json:
    """The hook answered by a service with the chart's site code mappings, if it names any (a site maps the
    codes no public source lets the service verify)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    overrides: Json = {}
    if "site_codes" in chart.meta:
        overrides["site_codes"] = tmp_path / "site-codes.json"
        overrides["site_codes"].write_text(json.dumps({"valueSets": chart.meta["site_codes"]}))
    with make_client(suite_settings(tmp_path, **overrides), NOW) as client:
        response = client.post(f"/cds-services/{service_id(hook)}", json=request)
    assert response.status_code == 200, response.text
    return dict(response.json())


def decisions(body: Json) -> list[tuple[str, str]]:
    return [(card["source"]["topic"]["code"], card["indicator"]) for card in body["cards"]]


def card_text(body: Json, rule_id: str) -> str | None:
    """Summary and detail of the card of `rule_id`, or None when there is no such card."""
    for card in body["cards"]:
        if card["source"]["topic"]["code"] == rule_id:
            return f"{card['summary']}\n{card.get('detail', '')}"
    return None


def check_golden(golden: Path, body: Json) -> None:
    """The whole response, uuids stripped, against its golden file (written with CDS_UPDATE_GOLDEN=1)."""
    stripped = strip_uuids(body)
    if update_golden():
        golden.write_text(json.dumps(stripped, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"{golden.name} is missing: run once with CDS_UPDATE_GOLDEN=1 and review it"
    assert stripped == load_json(golden)


def test_every_primary_has_every_shape() -> None:
    for chart in CHARTS:
        for suffix in (".json", ".drafts.json", ".meta.json"):
            assert chart.path(suffix).is_file(), chart.path(suffix)
        assert chart.patient_id == f"rw-{chart.primary}-{chart.shape}"
        assert set(HOOKS) <= set(chart.meta), chart.name
        assert chart.drafts, f"{chart.name}: the order hooks need draft orders"
        for draft in chart.drafts:
            assert draft["id"] and draft["status"] == "draft", chart.name


@pytest.mark.parametrize(("chart", "hook"), CASES, ids=CASE_IDS)
def test_chart_shows_its_clinical_decisions(chart: Chart, hook: str, tmp_path: Path) -> None:
    """The decisions of the meta file: expected (rule, indicator) pairs present, forbidden rules absent, and the
    words a card must (or must not) say."""
    body = fire(tmp_path, chart, hook, chart.request(hook))
    wanted: Json = chart.meta[hook]
    fired = decisions(body)
    context = f"{chart.name} {hook}: {chart.meta['description']} Cards: {fired}"
    missing = [tuple(pair) for pair in wanted.get("expect", []) if tuple(pair) not in fired]
    assert not missing, f"missing {missing}; {context}"
    shown = {rule_id for rule_id, _ in fired}
    forbidden = sorted(shown & set(wanted.get("forbid", [])))
    assert not forbidden, f"forbidden {forbidden}; {context}"
    for rule_id, phrases in wanted.get("must_say", {}).items():
        text = card_text(body, rule_id)
        assert text is not None, f"no {rule_id} card to say {phrases}; {context}"
        unsaid = [p for p in phrases if p not in text]
        assert not unsaid, f"{rule_id} does not say {unsaid}; {context}"
    for rule_id, phrases in wanted.get("must_not_say", {}).items():
        text = card_text(body, rule_id) or ""
        said = [p for p in phrases if p in text]
        assert not said, f"{rule_id} says {said}; {context}"


@pytest.mark.parametrize(("chart", "hook"), CASES, ids=CASE_IDS)
def test_chart_response_matches_its_golden(chart: Chart, hook: str, tmp_path: Path) -> None:
    body = fire(tmp_path, chart, hook, chart.request(hook))
    uuids = [c["uuid"] for c in body["cards"]] + [
        s["uuid"] for c in body["cards"] for s in c.get("suggestions", [])
    ]
    assert len(uuids) == len(set(uuids))
    assert len(body["cards"]) == len({rule_id for rule_id, _ in decisions(body)}), "one card per rule"
    check_golden(chart.golden(hook), body)


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    yield from sekmet_holding(tmp_path_factory.mktemp("sekmet"), (chart.transaction() for chart in CHARTS))


@pytest.mark.fhir_server
@pytest.mark.parametrize(("chart", "hook"), CASES, ids=CASE_IDS)
def test_fetch_mode_answers_as_prefetch(chart: Chart, hook: str, fhir: FhirServer, tmp_path: Path) -> None:
    given = chart.request(hook)
    fetched = {key: value for key, value in given.items() if key != "prefetch"}
    with_fhir_server(fetched, fhir.base, fhir.token)
    by_prefetch = fire(tmp_path / "prefetch", chart, hook, given)
    by_fetch = fire(tmp_path / "fetch", chart, hook, fetched)
    assert strip_uuids(by_fetch) == strip_uuids(by_prefetch)


def test_chart_fixtures_are_what_the_definitions_write(tmp_path: Path) -> None:
    """The chart files are generated: an edit by hand would be lost when the definitions are next run."""
    write_charts(tmp_path)
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.json"))
    on_disk = sorted(
        path.relative_to(CHARTS_DIR)
        for path in CHARTS_DIR.rglob("*.json")
        if not path.name.endswith(".expected.json")
    )
    assert written == on_disk
    changed = [str(p) for p in written if (tmp_path / p).read_bytes() != (CHARTS_DIR / p).read_bytes()]
    assert not changed, f"{changed} are not what tests/chart_definitions.py writes: run it"

"""Constraints that keep the clinical content honest: citations, wording limits, codes, and prefetch coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fhir_mappings.pm_concepts import CONCEPTS_BY_CODE
from fhir_mappings.queries import FACT_QUERIES
from fhir_mappings.systems import PM_CONCEPTS
from fhir_mappings.valuesets import VALUE_SETS
from hooks.bibliography import SOURCES
from hooks.rules import ALL_RULES
from hooks.services import SERVICES
from tests.conftest import FIXTURES, ROOT, SHARED, load_json

CATALOG = SHARED / "guideline-catalog.md"
TERMINOLOGY = SHARED / "terminology.md"
FOUNDATION_RULES = {
    "BEV-SURG-BEFORE",
    "BEV-SURG-AFTER",
    "BEV-SURG-SCHEDULE",
    "BEV-SURG-VIEW",
    "BEV-VEGF-CLASS",
}
DOSE_RULES = {"DOSE-CARBO-CALVERT", "DOSE-CISPLATIN", "DOSE-PACLITAXEL", "DOSE-BEV"}


def test_rule_ids_are_unique_and_the_foundation_rules_are_implemented() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) >= FOUNDATION_RULES | DOSE_RULES


NOT_YET_IMPLEMENTED: dict[str, str] = {}
"""Catalog ids whose rule lands with a later issue; an id leaves this list when its rule is implemented."""


def catalog_rule_ids(markdown: str) -> list[str]:
    """The first cells of the rows of the catalog's rule tables (those whose header's first cell is `id`; a
    row set off by a blank line still belongs to the table above it, as CERV-FOLLOWUP does)."""
    ids: list[str] = []
    in_rule_table = False
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            in_rule_table = in_rule_table and not line.strip()
        elif cells[0] == "id":
            in_rule_table = True
        elif in_rule_table and not set(cells[0]) <= set("-: "):
            ids.append(cells[0])
    return ids


@pytest.mark.skipif(not CATALOG.exists(), reason="../shared/guideline-catalog.md is absent")
def test_every_catalog_rule_id_is_implemented_and_no_other() -> None:
    rows = catalog_rule_ids(CATALOG.read_text())
    assert rows, "no rule table found in the catalog"
    assert all(re.fullmatch(r"[A-Z]{2,6}(?:-[A-Z0-9]+)+", r) for r in rows), rows
    assert len(rows) == len(set(rows)), "a catalog id is listed twice"
    catalog_ids = set(rows)
    id_shaped_rows = re.findall(r"^\| ([A-Z]{2,6}(?:-[A-Z0-9]+)+) \|", CATALOG.read_text(), re.MULTILINE)
    assert catalog_ids == set(id_shaped_rows), "an id-shaped row outside the rule tables, or the reverse"
    implemented = {r.id for r in ALL_RULES}
    assert not implemented & set(NOT_YET_IMPLEMENTED), "implemented now: drop it from NOT_YET_IMPLEMENTED"
    assert implemented == catalog_ids - set(NOT_YET_IMPLEMENTED)


def test_rules_yield_only_to_rules_that_exist() -> None:
    ids = {r.id for r in ALL_RULES}
    for rule in ALL_RULES:
        assert rule.yields_to <= ids, rule.id


def test_every_citation_names_a_known_source_and_lines_inside_it() -> None:
    for rule in ALL_RULES:
        assert rule.citations, rule.id
        for citation in rule.citations:
            source = SOURCES[citation.source]
            assert 1 <= citation.first_line <= citation.last_line <= source.line_count, (rule.id, citation)


@pytest.mark.skipif(not (SHARED / "guidelines").is_dir(), reason="../shared/guidelines is absent")
def test_bibliography_line_counts_match_the_source_files() -> None:
    for source in SOURCES.values():
        lines = (SHARED / source.file).read_text(encoding="utf-8").splitlines()
        assert len(lines) == source.line_count, source.short_name


def test_every_dose_rule_has_a_missing_input_scenario() -> None:
    for rule_id in DOSE_RULES:
        assert any(p.name.startswith("missing-") for p in (FIXTURES / "scenarios" / rule_id).iterdir()), (
            rule_id
        )


def test_every_rule_has_all_three_scenario_kinds() -> None:
    for rule in ALL_RULES:
        kinds = {p.name.split("-")[0] for p in (FIXTURES / "scenarios" / rule.id).iterdir() if p.is_dir()}
        assert {"in", "out", "boundary"} <= kinds <= {"in", "out", "boundary", "missing"}, rule.id


def test_every_golden_card_summary_is_under_140_characters() -> None:
    summaries = [
        c["summary"] for p in FIXTURES.glob("scenarios/*/*/expected.json") for c in load_json(p)["cards"]
    ]
    assert summaries
    assert max(len(s) for s in summaries) < 140


def test_every_fact_a_rule_needs_is_covered_by_its_services_prefetch() -> None:
    for service in SERVICES:
        for rule in service.rules:
            for fact in rule.requires:
                assert {q.key for q in FACT_QUERIES[fact]} <= set(service.prefetch), (
                    service.id,
                    rule.id,
                    fact,
                )


def test_every_rule_runs_on_some_service() -> None:
    served = {r.id for s in SERVICES for r in s.rules}
    assert served == {r.id for r in ALL_RULES}


def test_every_value_set_code_records_where_it_was_verified() -> None:
    assert len(VALUE_SETS) > 50
    for value_set in VALUE_SETS.values():
        assert value_set.codes, value_set.id
        for code in value_set.codes:
            assert code.verified_in.strip() and code.display.strip(), (value_set.id, code.code)


def test_every_project_code_in_a_value_set_is_defined_in_the_code_system() -> None:
    used = {c.code for vs in VALUE_SETS.values() for c in vs.codes if c.system == PM_CONCEPTS}
    assert used <= set(CONCEPTS_BY_CODE)
    assert {
        "peritoneal-cancer-index",
        "completeness-of-cytoreduction",
        "cytoreductive-surgery",
        "hipec",
        "pipac",
    } <= used


@pytest.mark.skipif(not TERMINOLOGY.exists(), reason="../shared/terminology.md is absent")
def test_no_code_marked_unverified_in_the_terminology_is_used() -> None:
    """The terminology lists codes that could not be verified; none of them may stand in a value set unless the
    terminology build has since confirmed it in a source (pembrolizumab 1547545: an RxNorm release extract)."""
    unverified = {"25370001", "HGNC:6407", "318350", "1792776", "2890-2", "5804-0", "2889-4"}
    used = {c.code for vs in VALUE_SETS.values() for c in vs.codes}
    assert not unverified & used


def test_rule_modules_hold_no_codes() -> None:
    for module in (ROOT / "hooks" / "rules").glob("*.py"):
        text = module.read_text()
        assert not re.search(r"snomed|loinc|rxnorm|icd-10|\b\d{6,}\b", text, re.IGNORECASE), module.name


def test_scenario_folders_are_known_rule_ids() -> None:
    assert {p.name for p in (FIXTURES / "scenarios").iterdir()} <= {r.id for r in ALL_RULES}


def test_no_source_text_is_copied_into_the_code() -> None:
    """Cards paraphrase; a run of 12+ words identical to a source line is a copy."""
    if not (SHARED / "guidelines").is_dir():
        pytest.skip("../shared/guidelines is absent")
    code = " ".join(p.read_text() for p in Path(ROOT / "hooks").rglob("*.py")).lower()
    code_words = " ".join(re.findall(r"[a-z0-9%]+", code))
    for source in SOURCES.values():
        for line in (SHARED / source.file).read_text(encoding="utf-8").lower().splitlines():
            if line.strip() == source.title.lower():
                continue  # a document's own title is how it is cited, not a copy of its guidance
            words = re.findall(r"[a-z0-9%]+", line)
            for i in range(len(words) - 11):
                assert " ".join(words[i : i + 12]) not in code_words, (source.short_name, line[:80])


@pytest.mark.skipif(not (SHARED / "guidelines").is_dir(), reason="../shared/guidelines is absent")
def test_bibliography_names_the_journal_publisher_and_review_status_the_documents_state() -> None:
    """CRC-PM-REVIEW's running header names its journal (l.468-476); the Dr.Oracle disclaimers (000 l.48,
    002 l.104); the review status the two Dr.Oracle documents state (002 l.4, 000 l.4-6); HCC-LUNG-PM names
    no publisher and no date."""

    def line(short_name: str, number: int) -> str:
        return (SHARED / SOURCES[short_name].file).read_text(encoding="utf-8").splitlines()[number - 1]

    assert "Annals of Coloproctology" in (SOURCES["CRC-PM-REVIEW"].publisher or "")
    assert line("CRC-PM-REVIEW", 468) == "Annals of" and line("CRC-PM-REVIEW", 470) == "Coloproctology"
    for short_name, number in (("CARCINOMATOSIS-OVERVIEW", 48), ("CERVICAL-OMENTAL", 104)):
        assert (SOURCES[short_name].publisher or "").startswith("Dr.Oracle")
        assert "Dr.Oracle" in line(short_name, number)
    assert "pending human review" in line("CERVICAL-OMENTAL", 4)
    assert "Under Review" in line("CARCINOMATOSIS-OVERVIEW", 6)
    assert "Approved" in line("CARCINOMATOSIS-OVERVIEW", 7), (
        "a status list, not a status (review of issue #16)"
    )
    assert [s.short_name for s in SOURCES.values() if s.unreviewed] == ["CERVICAL-OMENTAL"]
    assert (SOURCES["HCC-LUNG-PM"].publisher, SOURCES["HCC-LUNG-PM"].date) == (None, None)

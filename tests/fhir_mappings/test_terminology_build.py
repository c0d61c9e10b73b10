"""The terminology build: the committed value-set data is exactly what the build makes from its sources, and
the build refuses any code its declared source does not confirm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from fhir_mappings.terminology_build.build import OUTPUT, SELECTIONS, build, render
from fhir_mappings.terminology_build.sources import SourceError, cache_dir

NPM_MISSING = shutil.which("npm") is None and not any(cache_dir().glob("*.tgz"))


@pytest.mark.skipif(
    NPM_MISSING, reason="npm is not installed and no package is cached: the build cannot fetch"
)
def test_committed_value_sets_are_exactly_what_the_build_produces() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == render(build()), (
        "fhir_mappings/valuesets/codes.json differs from the build: run python -m fhir_mappings.terminology_build"
    )


def selections(tmp_path: Path, sets: dict[str, object]) -> Path:
    """A selection folder with the project's sources and the given sets."""
    folder = tmp_path / "selections"
    folder.mkdir(parents=True)
    shutil.copy(SELECTIONS / "sources.yaml", folder / "sources.yaml")
    (folder / "test.yaml").write_text(yaml.safe_dump(sets))
    return folder


def test_icd10cm_codes_take_their_display_and_line_from_the_cms_tabular(tmp_path: Path) -> None:
    data = build(selections(tmp_path, {"crc": {"title": "t", "codes": [{"icd10cm": "C18.7"}]}}))
    [(system, code, display, where)] = data["sets"]["crc"]["codes"]
    assert (system, code, display) == (
        "http://hl7.org/fhir/sid/icd-10-cm",
        "C18.7",
        "Malignant neoplasm of sigmoid colon",
    )
    assert where.startswith(
        "ICD-10-CM 2026 tabular (simple-icd-10-cm 1.5.0) icd10c-tabular-April-1-2026.xml:"
    )


def test_an_icd10cm_range_lists_its_categories_in_the_tabular_order(tmp_path: Path) -> None:
    entry = {"icd10cm-range": "C43-C46", "except": ["C44"]}
    data = build(selections(tmp_path, {"r": {"title": "t", "codes": [entry]}}))
    assert [row[1] for row in data["sets"]["r"]["codes"]] == ["C43", "C4A", "C45", "C46"]


def test_a_code_the_cms_tabular_does_not_hold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"C18\.99"):
        build(selections(tmp_path, {"crc": {"title": "t", "codes": [{"icd10cm": "C18.99"}]}}))


def test_a_cited_code_needs_its_display_and_line(tmp_path: Path) -> None:
    entry = {"sct": "93761005", "from": "mef-primary", "display": "Primary malignant neoplasm of colon"}
    with pytest.raises(SourceError, match="needs its display and `at`"):
        build(selections(tmp_path, {"crc": {"title": "t", "codes": [entry]}}))


def test_a_cited_code_records_repository_commit_path_and_line(tmp_path: Path) -> None:
    entry = {
        "sct": "93761005",
        "from": "mef-primary",
        "display": "Primary malignant neoplasm of colon",
        "at": 1276,
    }
    data = build(selections(tmp_path, {"crc": {"title": "t", "codes": [entry]}}))
    assert data["sets"]["crc"]["codes"][0][3] == (
        "mcode/mcode-extraction-framework@593210d86598 "
        "src/helpers/valueSets/ValueSet-mcode-primary-or-uncertain-behavior-cancer-disorder-vs.json:1276"
    )


def test_an_undeclared_source_or_a_repeated_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="undeclared source"):
        build(selections(tmp_path, {"a": {"title": "t", "codes": [{"sct": "1", "from": "nowhere"}]}}))
    twice = [{"icd10cm": "C18"}, {"icd10cm": "C18"}]
    with pytest.raises(SourceError, match="listed twice"):
        build(selections(tmp_path / "again", {"a": {"title": "t", "codes": twice}}))


def test_a_package_that_does_not_match_its_pinned_integrity_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fake = cache_dir() / "hl7.terminology.r4-7.0.1.tgz"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"not the package")
    entry = {"sct": "363406005", "from": "gps"}
    with pytest.raises(SourceError, match="integrity"):
        build(selections(tmp_path, {"crc": {"title": "t", "codes": [entry]}}))


@pytest.mark.skipif(
    NPM_MISSING, reason="npm is not installed and no package is cached: the build cannot fetch"
)
def test_a_snomed_code_absent_from_the_global_patient_set_is_refused(tmp_path: Path) -> None:
    entry = {"sct": "94006002", "from": "gps"}  # in the mCODE expansion, not in the GPS
    with pytest.raises(SourceError, match="gps does not contain sct 94006002"):
        build(selections(tmp_path, {"crc": {"title": "t", "codes": [entry]}}))

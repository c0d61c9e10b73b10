"""Condition → one fact: primary cancer, metastasis (site and site key), comorbidity or risk feature."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fhir_mappings.conditions import condition_fact
from fhir_mappings.facts import (
    Cancer,
    CancerCondition,
    ComorbidCondition,
    Comorbidity,
    Metastasis,
    MetastaticSite,
    RiskFeature,
    RiskFinding,
)
from fhir_mappings.terminology import BUILT_IN
from tests.facts import extracted
from tests.scenario_builder import VERIFICATION, concept, condition

UTC = ZoneInfo("UTC")


def fact(resource: dict[str, Any]) -> Any:
    return condition_fact(resource, BUILT_IN, UTC)


def verified(resource: dict[str, Any], status: str) -> dict[str, Any]:
    return {**resource, "verificationStatus": {"coding": [{"system": VERIFICATION, "code": status}]}}


PM = condition("pm", "icd", "C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum")
OMENTAL = condition("om", "sct", "94626004", "Omental metastasis")
LIVER = condition("liver", "icd", "C78.7", "Secondary malignant neoplasm of liver")
LUNG_RIGHT = condition("lung-r", "icd", "C78.01", "Secondary malignant neoplasm of right lung")
LUNG_LEFT = condition("lung-l", "icd", "C78.02", "Secondary malignant neoplasm of left lung")
OVARY = condition("ovary", "icd", "C56.9", "Malignant neoplasm of unspecified ovary")


def test_primary_cancer_is_read_with_its_name() -> None:
    assert fact(OVARY) == CancerCondition(
        "Condition/ovary", Cancer.OVARIAN, "Malignant neoplasm of unspecified ovary", False
    )


def test_refuted_and_entered_in_error_conditions_are_ignored() -> None:
    for status in ("refuted", "entered-in-error"):
        assert fact(verified(OVARY, status)) is None
        assert fact(verified(PM, status)) is None
    assert fact(verified(OVARY, "provisional")) is not None


def test_resolved_metastasis_is_not_counted() -> None:
    resolved = condition("liver", "icd", "C78.7", "Liver metastasis", clinical_status="resolved")
    assert fact(resolved) is None
    assert extracted(PM, resolved).metastatic_site_count == 1
    assert fact(condition("pm", "icd", "C78.6", "PM", clinical_status="remission")) is None


def test_condition_without_clinical_status_counts_as_active() -> None:
    no_status = {k: v for k, v in LIVER.items() if k != "clinicalStatus"}
    assert isinstance(fact(no_status), Metastasis)


def test_omental_and_peritoneal_metastases_are_one_site() -> None:
    facts = extracted(PM, OMENTAL)
    assert [m.site for m in facts.metastases] == [MetastaticSite.OMENTUM, MetastaticSite.PERITONEUM]
    assert facts.metastatic_site_count == 1
    assert facts.has_peritoneal_metastasis


def test_right_and_left_lung_metastases_are_one_site() -> None:
    facts = extracted(LUNG_RIGHT, LUNG_LEFT, LIVER)
    assert facts.metastatic_site_count == 2
    assert not facts.has_peritoneal_metastasis


def test_site_key_reads_icd_codes_case_and_space_insensitively() -> None:
    lower = condition("lung-x", "icd", " c78.01 ", "lung metastasis")
    assert extracted(LUNG_LEFT, lower).metastatic_site_count == 1


def test_clinical_status_recurrence_marks_the_primary_recurrent() -> None:
    for status in ("recurrence", "relapse"):
        found = fact(condition("ovary", "icd", "C56.9", "Ovarian cancer", clinical_status=status))
        assert isinstance(found, CancerCondition) and found.recurrent
    assert not fact(OVARY).recurrent


def test_local_recurrence_code_marks_the_primary_recurrent() -> None:
    found = fact(condition("crc", "sct", "314965007", "Local recurrence of malignant tumor of colon"))
    assert isinstance(found, CancerCondition)
    assert (found.cancer, found.recurrent) == (Cancer.COLORECTAL, True)


def test_resolved_primary_is_still_a_primary_on_record() -> None:
    found = fact(condition("ovary", "icd", "C56.9", "Ovarian cancer", clinical_status="resolved"))
    assert isinstance(found, CancerCondition) and not found.recurrent


def test_generic_secondary_with_mcode_peritoneum_body_site_is_peritoneal() -> None:
    generic = condition(
        "met",
        "sct",
        "128462008",
        "Metastatic neoplasm",
        body_site=concept("sct", "118762006", "Peritoneal sac structure"),
    )
    found = fact(generic)
    assert isinstance(found, Metastasis)
    assert (found.site, found.site_key) == (MetastaticSite.PERITONEUM, "peritoneum")
    assert extracted(generic, PM).metastatic_site_count == 1


def test_generic_secondary_without_body_site_is_another_site() -> None:
    found = fact(condition("met", "sct", "128462008", "Metastatic neoplasm"))
    assert isinstance(found, Metastasis) and found.site is MetastaticSite.OTHER


def test_peritoneal_body_site_does_not_turn_a_primary_into_a_metastasis() -> None:
    primary = condition(
        "crc", "icd", "C18.7", "Sigmoid colon cancer", body_site=concept("sct", "118762006", "Peritoneum")
    )
    assert isinstance(fact(primary), CancerCondition)


def test_unknown_primary_peritoneal_metastasis_is_peritoneal_and_no_primary() -> None:
    facts = extracted(condition("pm", "sct", "285616002", "Metastasis to peritoneum of unknown primary"))
    assert facts.has_peritoneal_metastasis
    assert facts.cancer_conditions == () and facts.primary_cancers == frozenset()


def test_active_comorbidity_with_its_onset_date() -> None:
    vte = condition("dvt", "sct", "128053003", "Deep venous thrombosis", onset="2026-02-11T22:30:00-05:00")
    assert fact(vte) == ComorbidCondition(
        "Condition/dvt", Comorbidity.VTE, "Deep venous thrombosis", date(2026, 2, 12)
    )
    resolved = condition("pe", "icd", "I26.99", "Pulmonary embolism", clinical_status="resolved")
    assert fact(resolved) is None


def test_risk_feature_condition() -> None:
    t4 = condition("t4", "pm", "t4-primary-tumor", "Primary tumour T4")
    assert fact(t4) == RiskFinding("Condition/t4", RiskFeature.T4, "Primary tumour T4")


def test_condition_without_id_or_known_code_gives_no_fact() -> None:
    assert fact({**OVARY, "id": ""}) is None
    assert fact(condition("htn", "icd", "I10", "Essential hypertension")) is None
    assert fact(condition("x", "sct", "", "no code")) is None


def test_display_text_alone_never_identifies_a_cancer() -> None:
    text_only = {**OVARY, "code": {"text": "Malignant neoplasm of ovary", "coding": [{"display": "ovary"}]}}
    assert fact(text_only) is None


def test_picture_orders_conditions_by_reference() -> None:
    facts = extracted(OVARY, condition("a-crc", "icd", "C18.7", "Sigmoid colon cancer"))
    assert [c.ref for c in facts.cancer_conditions] == ["Condition/a-crc", "Condition/ovary"]
    assert facts.primary_cancers == {Cancer.COLORECTAL, Cancer.OVARIAN}


def local_first(rid: str, local_code: str, icd_code: str, display: str) -> dict[str, Any]:
    resource = condition(rid, "icd", icd_code, display)
    resource["code"]["coding"].insert(
        0, {"system": "http://hospital.example.org/problems", "code": local_code}
    )
    return resource


def test_local_code_first_does_not_hide_the_icd_metastasis() -> None:
    found = fact(local_first("lung-r", "MET-17", "C78.01", "Right lung metastasis"))
    assert isinstance(found, Metastasis) and found.site is MetastaticSite.LUNG


def test_lung_metastases_coded_after_local_codes_are_one_site() -> None:
    facts = extracted(
        local_first("lung-r", "MET-17", "C78.01", "Right lung metastasis"),
        local_first("lung-l", "MET-18", "C78.02", "Left lung metastasis"),
    )
    assert facts.metastatic_site_count == 1


def test_generic_secondaries_at_two_body_sites_are_two_sites() -> None:
    sites = "http://hospital.example.org/body-sites"
    liver = condition(
        "m1", "sct", "128462008", "Metastatic neoplasm", body_site=concept(sites, "LIVER", "Liver")
    )
    bone = condition(
        "m2", "sct", "128462008", "Metastatic neoplasm", body_site=concept(sites, "BONE", "Bone")
    )
    assert extracted(liver, bone).metastatic_site_count == 2

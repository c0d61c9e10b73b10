"""CRS, HIPEC and PIPAC from ServiceRequests (planned) and Procedures (done or about to be), and the picture
fields built from a whole chart."""

from __future__ import annotations

from datetime import date

import pytest

from fhir_mappings.facts import (
    Cancer,
    ClinicalPicture,
    Drug,
    Intervention,
    InterventionKind,
    MetastaticSite,
    Scale,
)
from fhir_mappings.systems import PM_CONCEPTS
from tests.facts import extracted
from tests.scenario_builder import (
    concept,
    condition,
    medication_request,
    observation,
    procedure,
    service_request,
)

CRS = concept("pm", "cytoreductive-surgery", "Cytoreductive surgery (CRS)")
HIPEC = concept("pm", "hipec", "HIPEC")
OX_HIPEC = concept("pm", "hipec-oxaliplatin", "Oxaliplatin-based HIPEC")
PIPAC = concept("pm", "pipac", "PIPAC")
DEBULKING = concept("sct", "238301005", "Debulking of lesion of peritoneum")
CRS_AND_HIPEC = {
    "coding": [
        {"system": PM_CONCEPTS, "code": "cytoreductive-surgery"},
        {"system": PM_CONCEPTS, "code": "hipec"},
    ],
    "text": "CRS + HIPEC",
}


def kinds(facts: ClinicalPicture) -> list[tuple[str, InterventionKind, bool]]:
    return [(i.ref, i.kind, i.done) for i in facts.interventions]


@pytest.mark.parametrize("status", ["draft", "active", "on-hold"])
def test_planned_order_statuses_are_read(status: str) -> None:
    facts = extracted(service_request("s", HIPEC, status=status, occurrence="2026-03-20"))
    assert facts.interventions == (
        Intervention("ServiceRequest/s", InterventionKind.HIPEC, "HIPEC", False, date(2026, 3, 20)),
    )


@pytest.mark.parametrize("status", ["completed", "revoked", "entered-in-error", "unknown"])
def test_orders_not_planned_are_ignored(status: str) -> None:
    assert extracted(service_request("s", HIPEC, status=status, occurrence="2026-03-20")).interventions == ()


@pytest.mark.parametrize("intent", ["proposal", "option"])
def test_proposals_and_options_are_not_orders(intent: str) -> None:
    assert extracted(service_request("s", HIPEC, status="active", intent=intent)).interventions == ()


@pytest.mark.parametrize("intent", ["plan", "order", "original-order"])
def test_plans_and_orders_count(intent: str) -> None:
    assert len(extracted(service_request("s", PIPAC, status="active", intent=intent)).interventions) == 1


def test_order_without_a_date_is_kept_undated() -> None:
    [found] = extracted(service_request("s", PIPAC, status="active")).interventions
    assert (found.kind, found.on) == (InterventionKind.PIPAC, None)


def test_completed_procedure_is_done_on_its_date() -> None:
    facts = extracted(procedure("p", CRS, "2026-01-15T09:00:00Z"))
    assert facts.interventions == (
        Intervention(
            "Procedure/p", InterventionKind.CRS, "Cytoreductive surgery (CRS)", True, date(2026, 1, 15)
        ),
    )


def test_completed_procedure_period_counts_its_end() -> None:
    done = {
        **procedure("p", CRS, ""),
        "performedPeriod": {"start": "2026-01-15T08:00:00Z", "end": "2026-01-16T01:00:00Z"},
    }
    del done["performedDateTime"]
    assert extracted(done).interventions[0].on == date(2026, 1, 16)


@pytest.mark.parametrize("status", ["preparation", "in-progress"])
def test_procedure_in_preparation_is_planned(status: str) -> None:
    [found] = extracted(procedure("p", HIPEC, "2026-03-20", status=status)).interventions
    assert (found.done, found.on) == (False, date(2026, 3, 20))


@pytest.mark.parametrize("status", ["not-done", "stopped", "entered-in-error", "on-hold"])
def test_procedure_not_done_or_in_error_is_ignored(status: str) -> None:
    assert extracted(procedure("p", HIPEC, "2026-01-20", status=status)).interventions == ()


def test_crs_and_hipec_in_one_order_are_two_facts() -> None:
    facts = extracted(service_request("s", CRS_AND_HIPEC, status="active", occurrence="2026-03-20"))
    assert sorted(kinds(facts)) == [
        ("ServiceRequest/s", InterventionKind.HIPEC, False),
        ("ServiceRequest/s", InterventionKind.CRS, False),
    ]
    assert {i.name for i in facts.interventions} == {"CRS + HIPEC"}


def test_snomed_debulking_is_cytoreductive_surgery_and_a_planned_major_surgery() -> None:
    facts = extracted(service_request("s", DEBULKING, status="active", occurrence="2026-03-20"))
    assert kinds(facts) == [("ServiceRequest/s", InterventionKind.CRS, False)]
    assert [(s.ref, s.major) for s in facts.planned_surgeries] == [("ServiceRequest/s", True)]


def test_oxaliplatin_hipec_code_names_oxaliplatin() -> None:
    [found] = extracted(service_request("s", OX_HIPEC, status="active")).interventions
    assert (found.kind, found.drugs) == (InterventionKind.HIPEC, frozenset({Drug.OXALIPLATIN}))


def test_hipec_order_detail_with_rxnorm_oxaliplatin_names_oxaliplatin() -> None:
    order = service_request(
        "s", HIPEC, status="active", order_detail=[concept("rxnorm", "32592", "oxaliplatin")]
    )
    [found] = extracted(order).interventions
    assert found.drugs == frozenset({Drug.OXALIPLATIN})


def test_hipec_order_detail_with_mitomycin_is_not_oxaliplatin() -> None:
    order = service_request(
        "s", HIPEC, status="active", order_detail=[concept("pm", "mitomycin", "mitomycin")]
    )
    [found] = extracted(order).interventions
    assert found.drugs == frozenset({Drug.MITOMYCIN})


def test_plain_hipec_names_no_drug() -> None:
    assert extracted(service_request("s", HIPEC, status="active")).interventions[0].drugs == frozenset()


def test_drafts_under_review_follow_the_selections() -> None:
    a = service_request("a", HIPEC, status="draft")
    b = service_request("b", PIPAC, status="draft")
    facts = extracted(drafts=(a, b), review=["ServiceRequest/b"])
    assert [(i.ref, i.under_review) for i in facts.interventions] == [
        ("ServiceRequest/a", False),
        ("ServiceRequest/b", True),
    ]
    assert [i.ref for i in facts.interventions_under_review(InterventionKind.PIPAC)] == ["ServiceRequest/b"]
    assert facts.interventions_under_review(InterventionKind.CRS) == ()


def test_every_draft_is_under_review_when_no_selection_is_given() -> None:
    facts = extracted(drafts=(service_request("a", HIPEC, status="draft"),))
    assert facts.interventions[0].under_review


def test_unrelated_orders_give_no_intervention() -> None:
    lab = service_request("lab", concept("loinc", "1834-1", "AFP"), status="active")
    assert extracted(lab).interventions == ()
    assert extracted({**lab, "id": ""}).interventions == ()


def test_build_picture_fills_every_field_from_a_chart() -> None:
    facts = extracted(
        {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1962-05-14"},
        condition("crc", "icd", "C18.7", "Sigmoid colon cancer"),
        condition("pm", "icd", "C78.6", "Peritoneal metastasis"),
        condition("liver", "icd", "C78.7", "Liver metastasis"),
        condition("dvt", "sct", "128053003", "Deep venous thrombosis"),
        condition("t4", "pm", "t4-primary-tumor", "T4"),
        observation("ecog", concept("loinc", "89247-1", "ECOG"), "2026-02-20", valueInteger=1),
        observation("pci", concept("pm", "peritoneal-cancer-index", "PCI"), "2026-02-10", valueInteger=14),
        observation(
            "pci-bad", concept("pm", "peritoneal-cancer-index", "PCI"), "2026-02-11", valueInteger=40
        ),
        medication_request("ox", "pm", "oxaliplatin", "oxaliplatin", status="completed", start="2025-10-01"),
        service_request("crs", CRS_AND_HIPEC, status="active", occurrence="2026-04-01"),
    )
    assert facts.demographics is not None and facts.demographics.sex == "female"
    assert facts.primary_cancers == frozenset({Cancer.COLORECTAL})
    assert [m.site for m in facts.metastases] == [MetastaticSite.LIVER, MetastaticSite.PERITONEUM]
    assert facts.metastatic_site_count == 2
    assert [c.ref for c in facts.comorbidities] == ["Condition/dvt"]
    assert [r.ref for r in facts.risk_features] == ["Condition/t4"]
    ecog, pci = facts.score(Scale.ECOG), facts.score(Scale.PCI)
    assert ecog is not None and ecog.value == 1
    assert pci is not None and pci.value == 14
    assert facts.skipped_resources == 1
    assert facts.therapy_history() == (Drug.OXALIPLATIN,)
    assert {i.kind for i in facts.interventions} == {InterventionKind.CRS, InterventionKind.HIPEC}
    assert facts.afp is None and facts.disease_status is None and facts.blood_pressure is None

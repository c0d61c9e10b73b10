"""The CRS/HIPEC/PIPAC rules (catalog §2) as pure functions, at their thresholds and with unknown facts."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.engine.types import Finding, HookContext, Indicator, Rule
from fhir_mappings.facts import (
    Administration,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    Intervention,
    InterventionKind,
    MarkerResult,
    MedicationOrder,
    Metastasis,
    MetastaticSite,
    RiskFeature,
    RiskFinding,
    Scale,
    Score,
    StatusReport,
    Trend,
)
from hooks.rules import ALL_RULES
from hooks.rules.chart import add_months
from hooks.rules.cytoreduction import (
    hcc_after_cytoreduction,
    hipec_after_incomplete_cytoreduction,
    hipec_colorectal_pci,
    hipec_for_hcc,
    hipec_for_lung,
    oxaliplatin_hipec,
    pipac_palliative,
    proactive_hipec,
)
from hooks.statements.cytoreduction import (
    CCR_SCORE,
    CMS4_IN_PRIMARY_TUMOURS,
    CMS4_OXALIPLATIN_RESISTANCE,
    COLORECTAL_PCI_EVIDENCE,
    COMPLETE_RESECTION_BEFORE_HIPEC,
    CRS_HIPEC_NOT_STANDARD,
    DISTANT_DISEASE_EVALUATION,
    HCC_CRS_HIPEC_SELECTION,
    HCC_POSTOP_CHEMOTHERAPY,
    HCC_PROFOUND_RESPONSE_MDT,
    OPERATIVE_REPORT,
    OXALIPLATIN_HIPEC_TRIAL,
    PIPAC_PHASE_TWO_TRIAL,
)
from hooks.statements.lung import LUNG_SYSTEMIC_CHEMOTHERAPY
from tests.facts import OMENTUM, PM, SELECT, SIGN, TODAY, VIEW, given, medication_order, with_primaries

LUNG_MET = Metastasis(
    "Condition/lung-met", MetastaticSite.LUNG, "lung", "Secondary malignant neoplasm of lung"
)
LIVER_MET = Metastasis("Condition/liver-met", MetastaticSite.LIVER, "liver", "Liver metastases")
SECOND_LIVER_MET = Metastasis(
    "Condition/liver-met-2", MetastaticSite.LIVER, "liver", "Secondary malignant neoplasm of liver"
)
NODE_MET = Metastasis("Condition/node-met", MetastaticSite.LYMPH_NODES, "lymph nodes", "Nodal metastasis")
BONE_MET = Metastasis(
    "Condition/bone-met", MetastaticSite.BONE, "bone", "Secondary malignant neoplasm of bone"
)
SKIN_MET = Metastasis(
    "Condition/skin-met", MetastaticSite.OTHER, "icd|C79.2", "Secondary malignant neoplasm of skin"
)
NOT_PERITONEAL_LIMITED = ("the peritoneum only", "no metastasis outside the peritoneum")


def cancer(kind: Cancer) -> CancerCondition:
    return CancerCondition(f"Condition/{kind.name.lower()}", kind, f"{kind.value} cancer", recurrent=False)


def intervention(
    kind: InterventionKind = InterventionKind.HIPEC,
    ref: str = "ServiceRequest/hipec",
    under_review: bool = True,
    done: bool = False,
    on: date | None = date(2026, 3, 20),
    drugs: frozenset[Drug] = frozenset(),
) -> Intervention:
    return Intervention(ref, kind, kind.value, done, on, under_review=under_review, drugs=drugs)


def score(scale: Scale, value: int) -> Score:
    return Score(scale, value, date(2026, 2, 10), f"Observation/{scale.name.lower()}")


def afp(normalised: bool | None) -> MarkerResult:
    return MarkerResult("Observation/afp", "6 ng/mL", date(2026, 2, 15), normalised)


RESPONSE = StatusReport("Observation/status", Trend.RESPONSE, date(2026, 2, 16))
PROGRESSION = StatusReport("Observation/status", Trend.PROGRESSION, date(2026, 2, 16))


def chart(
    kind: Cancer | None = Cancer.COLORECTAL,
    pm: bool = True,
    interventions: tuple[Intervention, ...] = (),
    **facts: object,
) -> ClinicalPicture:
    conditions = (cancer(kind),) if kind else ()
    metastases = facts.pop("metastases", (PM,) if pm else ())
    return with_primaries(*conditions, metastases=metastases, interventions=interventions, **facts)


def run(r: Rule, picture: ClinicalPicture, context: HookContext = SELECT) -> Finding | None:
    return r.evaluate(picture, context)


def fired(r: Rule, picture: ClinicalPicture, context: HookContext = SELECT) -> Finding:
    finding = run(r, picture, context)
    assert finding is not None
    assert len(finding.summary) < 140, finding.summary
    return finding


def test_thresholds_are_those_of_the_sources() -> None:
    assert COLORECTAL_PCI_EVIDENCE["pci"] == 20
    assert CCR_SCORE["max_for_hipec"] == 1
    assert HCC_POSTOP_CHEMOTHERAPY["months"] == 2


def test_rules_are_the_eight_catalog_ids_in_catalog_order() -> None:
    module = hipec_for_hcc.evaluate.__module__
    assert [r.id for r in ALL_RULES if r.evaluate.__module__ == module] == [
        "HIPEC-HCC",
        "HIPEC-LUNG",
        "HIPEC-CRC-PCI",
        "HIPEC-CCR",
        "HIPEC-PROPHYLACTIC",
        "HIPEC-OXALIPLATIN",
        "HIPEC-HCC-POSTOP",
        "PIPAC-PALLIATIVE",
    ]


# --- HIPEC-HCC ---


def test_hcc_crs_order_without_profound_response_is_a_warning() -> None:
    picture = chart(Cancer.HCC, interventions=(intervention(InterventionKind.CRS),), afp=afp(False))
    finding = fired(hipec_for_hcc, picture)
    assert finding.indicator is Indicator.WARNING
    assert "not normalised" in finding.summary and "no response documented" in finding.summary
    assert CRS_HIPEC_NOT_STANDARD.text() in finding.detail
    assert HCC_CRS_HIPEC_SELECTION.text() in finding.detail
    assert HCC_PROFOUND_RESPONSE_MDT.text() not in finding.detail


TREATED = given(Drug.SORAFENIB)


def hcc_hipec_order(
    normalised: bool | None = True,
    administrations: tuple[Administration, ...] = TREATED,
    metastases: tuple[Metastasis, ...] = (PM,),
) -> ClinicalPicture:
    """HCC with a HIPEC order under review, an AFP, a documented response and sorafenib on record."""
    return chart(
        Cancer.HCC,
        interventions=(intervention(),),
        afp=afp(normalised),
        disease_status=RESPONSE,
        administrations=administrations,
        metastases=metastases,
    )


def test_hcc_normalised_afp_and_documented_response_is_info() -> None:
    picture = hcc_hipec_order()
    finding = fired(hipec_for_hcc, picture, SIGN)
    assert finding.indicator is Indicator.INFO
    assert "MDT evaluation" in finding.summary
    assert "AFP normalised on 2026-02-15" in finding.summary
    assert "Systemic therapy on record: sorafenib." in finding.detail
    assert HCC_PROFOUND_RESPONSE_MDT.text() in finding.detail


def test_hcc_profound_response_without_systemic_therapy_on_record_is_not_the_mdt_card() -> None:
    """The profound response is to systemic therapy; none on record, no MDT info card."""
    finding = fired(hipec_for_hcc, hcc_hipec_order(administrations=()), SIGN)
    assert finding.indicator is Indicator.WARNING
    assert "MDT" not in finding.summary
    assert "no systemic therapy on record" in finding.summary
    assert "Systemic therapy on record: none on record." in finding.detail


def test_hcc_normalised_afp_with_progression_stays_a_warning() -> None:
    picture = chart(Cancer.HCC, interventions=(intervention(),), afp=afp(True), disease_status=PROGRESSION)
    assert fired(hipec_for_hcc, picture).indicator is Indicator.WARNING


def test_hcc_response_with_metastasis_outside_the_peritoneum_stays_a_warning_naming_the_site() -> None:
    finding = fired(hipec_for_hcc, hcc_hipec_order(metastases=(PM, LUNG_MET)))
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith(
        "CRS/HIPEC ordered for HCC with PM, metastases also in lung: not standard"
    )
    assert "MDT" not in finding.summary
    assert (
        "- Metastatic sites on record: 2 (peritoneum, lung; peritoneum and omentum count as one)."
        in finding.detail
    )
    assert (
        "- Metastasis outside the peritoneum: Secondary malignant neoplasm of lung (lung)." in finding.detail
    )
    assert "but so are metastases outside the peritoneum" in finding.detail
    assert not any(phrase in finding.detail for phrase in NOT_PERITONEAL_LIMITED)


def test_hcc_with_the_peritoneum_the_only_site_says_so() -> None:
    finding = fired(hipec_for_hcc, hcc_hipec_order(metastases=(PM, OMENTUM)))
    assert finding.indicator is Indicator.INFO
    assert (
        "- Metastatic sites on record: the peritoneum only; no metastasis outside the peritoneum on record."
        in (finding.detail)
    )


def test_hcc_summary_with_every_gap_and_several_sites_stays_under_the_limit_and_keeps_the_sites() -> None:
    """A long AFP text, no response, no therapy and four sites: the reasons give way, the sites stay."""
    raised = MarkerResult("Observation/afp", "1250.5 ng/mL (high, repeated)", date(2025, 10, 1), False)
    planned = intervention(InterventionKind.CRS, "ServiceRequest/crs", under_review=False)
    picture = chart(
        Cancer.HCC,
        interventions=(planned,),
        afp=raised,
        metastases=(PM, LUNG_MET, BONE_MET, NODE_MET, SKIN_MET),
    )
    finding = fired(hipec_for_hcc, picture, VIEW)
    assert "metastases also in lung, bone, lymph nodes and another site" in finding.summary
    assert "Secondary malignant neoplasm of skin" in finding.detail
    assert "- Metastatic sites on record: 5 (peritoneum, lung, bone, lymph nodes, Secondary malignant" in (
        finding.detail
    )


def test_hcc_afp_without_reference_range_or_interpretation_is_named_and_stays_a_warning() -> None:
    finding = fired(hipec_for_hcc, hcc_hipec_order(None))
    assert finding.indicator is Indicator.WARNING
    assert "AFP normalisation unknown: no reference range or interpretation on the result" in finding.detail
    assert "AFP on 2026-02-15: normalisation unknown" in finding.summary


def test_hcc_afp_absent_is_named_and_stays_a_warning() -> None:
    picture = chart(Cancer.HCC, interventions=(intervention(),), disease_status=RESPONSE)
    finding = fired(hipec_for_hcc, picture)
    assert finding.indicator is Indicator.WARNING
    assert "no AFP on record" in finding.summary
    assert "AFP: no result on record" in finding.detail


def test_hcc_disease_status_absent_is_named() -> None:
    picture = chart(Cancer.HCC, interventions=(intervention(),), afp=afp(True))
    finding = fired(hipec_for_hcc, picture)
    assert finding.indicator is Indicator.WARNING
    assert "Disease status: none on record" in finding.detail


def test_hcc_order_hook_without_crs_or_hipec_under_review_gives_no_card() -> None:
    assert run(hipec_for_hcc, chart(Cancer.HCC, interventions=(intervention(under_review=False),))) is None
    assert (
        run(hipec_for_hcc, chart(Cancer.HCC, interventions=(intervention(InterventionKind.PIPAC),))) is None
    )


def test_hcc_without_pm_gives_no_card() -> None:
    assert run(hipec_for_hcc, chart(Cancer.HCC, pm=False, interventions=(intervention(),))) is None


def test_hipec_order_for_other_primary_gives_no_hcc_card() -> None:
    assert run(hipec_for_hcc, chart(Cancer.COLORECTAL, interventions=(intervention(),))) is None


def test_hcc_patient_view_without_crs_hipec_order_or_plan_is_info() -> None:
    finding = fired(hipec_for_hcc, chart(Cancer.HCC), VIEW)
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith("HCC with PM: CRS/HIPEC not standard")


def test_hcc_patient_view_with_a_planned_crs_hipec_is_a_warning_naming_the_plan() -> None:
    planned = intervention(InterventionKind.HIPEC, "ServiceRequest/hipec-plan", under_review=False)
    finding = fired(hipec_for_hcc, chart(Cancer.HCC, interventions=(planned,), afp=afp(False)), VIEW)
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("CRS/HIPEC planned for HCC with PM: not standard")


def test_hcc_summary_dates_the_afp_it_shows() -> None:
    raised = MarkerResult("Observation/afp", "412 ng/mL", date(2025, 10, 1), False)
    finding = fired(hipec_for_hcc, chart(Cancer.HCC, afp=raised), VIEW)
    assert "AFP 412 ng/mL on 2025-10-01 not normalised" in finding.summary


def test_hcc_patient_view_after_crs_done_leaves_it_to_the_postop_card() -> None:
    done = intervention(
        InterventionKind.CRS, "Procedure/crs", under_review=False, done=True, on=date(2026, 2, 1)
    )
    assert run(hipec_for_hcc, chart(Cancer.HCC, interventions=(done,)), VIEW) is None


# --- HIPEC-LUNG ---


def test_lung_hipec_order_is_a_warning() -> None:
    finding = fired(hipec_for_lung, chart(Cancer.LUNG, interventions=(intervention(),)))
    assert finding.indicator is Indicator.WARNING
    assert "Systemic therapy on record: none on record." in finding.detail
    assert LUNG_SYSTEMIC_CHEMOTHERAPY.text() in finding.detail


def test_lung_patient_view_without_crs_hipec_order_or_plan_is_info_with_the_therapy() -> None:
    finding = fired(hipec_for_lung, chart(Cancer.LUNG), VIEW)
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith("Lung cancer with PM: CRS/HIPEC not standard")
    assert "(no systemic therapy on record)" in finding.summary


def test_lung_patient_view_with_a_planned_crs_is_a_warning() -> None:
    planned = intervention(InterventionKind.CRS, "ServiceRequest/crs", under_review=False)
    picture = chart(Cancer.LUNG, interventions=(planned,), administrations=given(Drug.CARBOPLATIN))
    finding = fired(hipec_for_lung, picture, VIEW)
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("CRS/HIPEC planned for lung cancer with PM")
    assert "(therapy on record: carboplatin)" in finding.summary


def test_lung_patient_view_with_crs_done_only_is_info() -> None:
    done = intervention(InterventionKind.CRS, "Procedure/crs", under_review=False, done=True)
    assert fired(hipec_for_lung, chart(Cancer.LUNG, interventions=(done,)), VIEW).indicator is Indicator.INFO


def test_lung_patient_view_names_a_bone_metastasis_in_summary_and_detail() -> None:
    finding = fired(hipec_for_lung, chart(Cancer.LUNG, metastases=(PM, BONE_MET)), VIEW)
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith("Lung cancer with PM, metastases also in bone: CRS/HIPEC not standard")
    assert (
        "- Metastasis outside the peritoneum: Secondary malignant neoplasm of bone (bone)." in finding.detail
    )
    assert "- Metastatic sites on record: 2 (peritoneum, bone;" in finding.detail


def test_lung_order_with_two_sites_outside_the_peritoneum_names_both() -> None:
    picture = chart(Cancer.LUNG, interventions=(intervention(),), metastases=(PM, BONE_MET, LIVER_MET))
    finding = fired(hipec_for_lung, picture)
    assert finding.indicator is Indicator.WARNING
    assert "metastases also in bone and liver: not standard" in finding.summary


def test_lung_with_the_peritoneum_the_only_site_says_so() -> None:
    finding = fired(hipec_for_lung, chart(Cancer.LUNG), VIEW)
    assert "metastases also" not in finding.summary
    assert "- Metastatic sites on record: the peritoneum only" in finding.detail


def test_lung_without_pm_or_without_order_gives_no_card() -> None:
    assert run(hipec_for_lung, chart(Cancer.LUNG, pm=False, interventions=(intervention(),))) is None
    assert run(hipec_for_lung, chart(Cancer.LUNG)) is None


# --- HIPEC-CRC-PCI ---


def test_pci_exactly_20_is_a_warning() -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.PCI, 20),))
    finding = fired(hipec_colorectal_pci, picture)
    assert finding.indicator is Indicator.WARNING
    assert "PCI 20" in finding.summary


def test_pci_19_is_info_naming_complete_resection_as_the_prerequisite() -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.PCI, 19),))
    finding = fired(hipec_colorectal_pci, picture)
    assert finding.indicator is Indicator.INFO
    assert finding.summary.endswith("candidate in an experienced centre if complete resection is possible")
    assert "CCR-0/1" not in finding.summary
    assert "- Metastatic sites on record: the peritoneum only" in finding.detail


@pytest.mark.parametrize("value", [2, 3])
def test_pci_below_20_with_ccr_2_or_more_on_record_is_not_called_a_candidate(value: int) -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.PCI, 8), score(Scale.CCR, value)))
    finding = fired(hipec_colorectal_pci, picture)
    assert finding.indicator is Indicator.INFO
    assert "candidate" not in finding.summary
    assert f"PCI 8 on 2026-02-10, but CCR-{value} (2026-02-10): residual > 2.5 mm" in finding.summary
    assert finding.summary.endswith(
        "HIPEC needs complete resection"
    )  # the order lead leaves no room for more
    assert f"the latest CCR is {value}" in finding.detail
    on_view = fired(hipec_colorectal_pci, picture, VIEW)
    assert on_view.summary == (
        f"Colorectal PM, PCI 8 on 2026-02-10, but CCR-{value} (2026-02-10): residual > 2.5 mm; "
        "complete resection is a prerequisite for HIPEC"
    )


def test_ccr_2_older_than_the_pci_is_from_an_earlier_operation_and_keeps_the_candidate_wording() -> None:
    old_ccr = Score(Scale.CCR, 2, date(2025, 11, 10), "Observation/ccr")
    picture = chart(
        interventions=(intervention(InterventionKind.CRS),), scores=(score(Scale.PCI, 8), old_ccr)
    )
    finding = fired(hipec_colorectal_pci, picture)
    assert "candidate" in finding.summary and "CCR-2" not in finding.summary
    assert "predates the PCI on 2026-02-10: it is taken to be from an earlier operation" in finding.detail


def test_pci_below_20_with_ccr_1_keeps_the_candidate_wording() -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.PCI, 8), score(Scale.CCR, 1)))
    assert "candidate" in fired(hipec_colorectal_pci, picture).summary


def test_pci_card_rests_on_the_penetration_statement_it_quotes() -> None:
    assert COMPLETE_RESECTION_BEFORE_HIPEC in hipec_colorectal_pci.statements
    assert str(COMPLETE_RESECTION_BEFORE_HIPEC.citation) == "CRC-PM-REVIEW l.121-123"
    picture = chart(interventions=(intervention(),), scores=(score(Scale.PCI, 19),))
    assert COMPLETE_RESECTION_BEFORE_HIPEC.said() in fired(hipec_colorectal_pci, picture).detail


def test_pci_missing_is_info_asking_for_it() -> None:
    finding = fired(hipec_colorectal_pci, chart(interventions=(intervention(InterventionKind.CRS),)))
    assert finding.indicator is Indicator.INFO
    assert "no PCI on record" in finding.summary
    assert OPERATIVE_REPORT.text() in finding.detail


def test_pci_card_on_patient_view_without_order() -> None:
    finding = fired(hipec_colorectal_pci, chart(scores=(score(Scale.PCI, 24),)), VIEW)
    assert finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("Colorectal PM, PCI 24")


# HIPEC-CRC-PCI, revision 2: metastases outside the peritoneum


def distant(
    *metastases: Metastasis, pci: int | None = 8, interventions: tuple[Intervention, ...] = ()
) -> ClinicalPicture:
    """Colorectal PM with these metastases beside it, a PCI (by default 8) and these CRS/HIPEC records."""
    scores = (score(Scale.PCI, pci),) if pci is not None else ()
    return chart(interventions=interventions, metastases=(PM, *metastases), scores=scores)


@pytest.mark.parametrize("context", [SELECT, SIGN], ids=["order-select", "order-sign"])
def test_crs_order_with_lung_and_liver_metastases_is_a_warning_naming_both_never_a_candidate(
    context: HookContext,
) -> None:
    picture = distant(LUNG_MET, LIVER_MET, interventions=(intervention(InterventionKind.CRS),))
    finding = fired(hipec_colorectal_pci, picture, context)
    assert finding.indicator is Indicator.WARNING
    assert "metastases also in lung and liver" in finding.summary
    assert "evaluate distant disease before any treatment" in finding.summary
    assert "candidate" not in finding.summary and "candidate" not in finding.detail
    assert "- Metastatic sites on record: 3 (peritoneum, lung, liver;" in finding.detail
    assert "Secondary malignant neoplasm of lung (lung); Liver metastases (liver)." in finding.detail
    assert "the CRS/HIPEC evidence is for limited peritoneal disease" in finding.detail
    assert DISTANT_DISEASE_EVALUATION.said() in finding.detail


def test_patient_view_with_lung_and_liver_metastases_is_info_naming_them_never_a_candidate() -> None:
    finding = fired(hipec_colorectal_pci, distant(LUNG_MET, LIVER_MET), VIEW)
    assert finding.indicator is Indicator.INFO
    assert finding.summary.startswith(
        "Colorectal PM, PCI 8 on 2026-02-10, metastases also in lung and liver:"
    )
    assert "candidate" not in finding.summary and "candidate" not in finding.detail
    assert DISTANT_DISEASE_EVALUATION.text() in finding.detail


def test_a_single_lymph_node_metastasis_is_disease_outside_the_peritoneum() -> None:
    finding = fired(hipec_colorectal_pci, distant(NODE_MET, interventions=(intervention(),)))
    assert finding.indicator is Indicator.WARNING
    assert "metastases also in lymph nodes" in finding.summary
    assert "- Metastatic sites on record: 2 (peritoneum, lymph nodes;" in finding.detail


def test_omentum_beside_the_peritoneum_is_one_site_and_keeps_the_candidate_card() -> None:
    finding = fired(hipec_colorectal_pci, distant(OMENTUM, interventions=(intervention(),)))
    assert finding.indicator is Indicator.INFO
    assert "candidate" in finding.summary
    assert "metastases also" not in finding.summary


def test_two_liver_codes_are_one_site() -> None:
    finding = fired(hipec_colorectal_pci, distant(LIVER_MET, SECOND_LIVER_MET), VIEW)
    assert "metastases also in liver:" in finding.summary
    assert "- Metastatic sites on record: 2 (peritoneum, liver;" in finding.detail
    assert "Liver metastases (liver); Secondary malignant neoplasm of liver (liver)." in finding.detail


def test_a_site_the_facts_do_not_name_is_named_by_its_condition() -> None:
    finding = fired(hipec_colorectal_pci, distant(SKIN_MET), VIEW)
    assert "metastases also in another site" in finding.summary
    assert (
        "- Metastatic sites on record: 2 (peritoneum, Secondary malignant neoplasm of skin;" in finding.detail
    )


def test_pci_20_with_liver_metastasis_stays_the_pci_warning_on_patient_view_and_names_the_liver() -> None:
    finding = fired(hipec_colorectal_pci, distant(LIVER_MET, pci=20), VIEW)
    assert finding.indicator is Indicator.WARNING
    assert (
        "metastases also in liver: the CRS/HIPEC evidence is for limited disease, PCI < 20" in finding.summary
    )
    assert "distant disease is to be evaluated before any treatment" in finding.detail


def test_no_pci_with_liver_metastasis_is_a_warning_on_order_hooks_and_info_on_patient_view() -> None:
    ordered = fired(hipec_colorectal_pci, distant(LIVER_MET, pci=None, interventions=(intervention(),)), SIGN)
    assert ordered.indicator is Indicator.WARNING
    assert "metastases also in liver, no PCI on record: evaluate distant disease" in ordered.summary
    assert OPERATIVE_REPORT.text() in ordered.detail
    assert DISTANT_DISEASE_EVALUATION.text() in ordered.detail
    assert fired(hipec_colorectal_pci, distant(LIVER_MET, pci=None), VIEW).indicator is Indicator.INFO


def test_ccr_2_with_liver_metastasis_names_both_and_stays_under_the_limit() -> None:
    ccr = Score(Scale.CCR, 2, date(2026, 2, 26), "Observation/ccr")
    picture = chart(
        metastases=(PM, LIVER_MET, LUNG_MET, BONE_MET),
        scores=(score(Scale.PCI, 8), ccr),
        interventions=(intervention(),),
    )
    finding = fired(hipec_colorectal_pci, picture)
    assert finding.indicator is Indicator.WARNING
    assert "CCR-2" in finding.summary and "metastases also in liver, lung and bone" in finding.summary
    assert "the latest CCR is 2" in finding.detail


NAMED_SITES = tuple(
    Metastasis(
        f"Condition/{site.name.lower()}", site, site.value, f"Secondary malignant neoplasm of {site.value}"
    )
    for site in MetastaticSite
    if not site.peritoneal and site is not MetastaticSite.OTHER
)
KIDNEY_MET = Metastasis("Condition/kidney-met", MetastaticSite.OTHER, "icd|C79.0", "Kidney metastasis")
EVERY_SITE = (*NAMED_SITES, SKIN_MET, KIDNEY_MET)


@pytest.mark.parametrize("pci", [None, 8, 24, 2], ids=["no-pci", "pci-8", "pci-24", "pci-2-with-ccr-3"])
@pytest.mark.parametrize("context", [VIEW, SIGN], ids=["patient-view", "order-sign"])
def test_every_site_on_record_keeps_the_summary_under_the_limit(
    pci: int | None, context: HookContext
) -> None:
    """Eight named organs and two other sites: the summary shortens its wording, never past the CDS Hooks limit."""
    ccr = (Score(Scale.CCR, 3, date(2026, 2, 26), "Observation/ccr"),) if pci == 2 else ()
    scores = ((score(Scale.PCI, pci),) if pci is not None else ()) + ccr
    planned = intervention(InterventionKind.CRS, "ServiceRequest/crs", under_review=context is not VIEW)
    crc = chart(metastases=(PM, *EVERY_SITE), scores=scores, interventions=(planned,))
    assert "metastases also in" in fired(hipec_colorectal_pci, crc, context).summary
    lung = chart(Cancer.LUNG, metastases=(PM, *EVERY_SITE), interventions=(planned,))
    assert "- Metastatic sites on record: 11 (" in fired(hipec_for_lung, lung, context).detail


def test_pci_card_needs_crs_or_hipec_under_review_on_order_hooks() -> None:
    assert run(hipec_colorectal_pci, chart(scores=(score(Scale.PCI, 24),))) is None
    assert run(hipec_colorectal_pci, chart(interventions=(intervention(InterventionKind.PIPAC),))) is None


def test_pci_card_needs_colorectal_primary_and_pm() -> None:
    assert run(hipec_colorectal_pci, chart(pm=False, interventions=(intervention(),))) is None
    assert run(hipec_colorectal_pci, chart(Cancer.APPENDICEAL, interventions=(intervention(),))) is None


# --- HIPEC-CCR ---


@pytest.mark.parametrize("value", [2, 3])
def test_ccr_2_or_more_with_hipec_ordered_is_a_warning(value: int) -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.CCR, value),))
    finding = fired(hipec_after_incomplete_cytoreduction, picture)
    assert finding.indicator is Indicator.WARNING
    assert f"CCR-{value}" in finding.summary


def test_ccr_card_says_the_prerequisite_as_the_source_does_and_the_series_as_a_description() -> None:
    """Complete resection confirmed possible is the prerequisite (CRC-PM-REVIEW l.121-123); HIPEC after
    CCR-0/1 is how the procedure the review describes went (l.364-367), not a rule the card states."""
    picture = chart(interventions=(intervention(),), scores=(score(Scale.CCR, 2),))
    finding = fired(hipec_after_incomplete_cytoreduction, picture)
    assert finding.summary == (
        "HIPEC ordered after CCR-2 (2026-02-10), residual > 2.5 mm: a confirmed possibility of complete "
        "resection is a prerequisite for HIPEC"
    )
    assert "only at" not in finding.summary
    assert COMPLETE_RESECTION_BEFORE_HIPEC.said() in finding.detail
    assert "In the procedure the review describes, HIPEC followed CRS at CCR-0 or CCR-1." in (finding.detail)
    assert CCR_SCORE.citation.first_line == 364 and COMPLETE_RESECTION_BEFORE_HIPEC.citation.first_line == 121


@pytest.mark.parametrize("value", [0, 1])
def test_ccr_0_or_1_gives_no_card(value: int) -> None:
    picture = chart(interventions=(intervention(),), scores=(score(Scale.CCR, value),))
    assert run(hipec_after_incomplete_cytoreduction, picture) is None


def test_ccr_unknown_gives_no_card() -> None:
    assert run(hipec_after_incomplete_cytoreduction, chart(interventions=(intervention(),))) is None


def test_ccr_2_with_only_crs_ordered_gives_no_card() -> None:
    picture = chart(interventions=(intervention(InterventionKind.CRS),), scores=(score(Scale.CCR, 2),))
    assert run(hipec_after_incomplete_cytoreduction, picture) is None


# --- HIPEC-PROPHYLACTIC ---

T4 = RiskFinding("Condition/t4", RiskFeature.T4, "Primary tumour category T4")
PERFORATION = RiskFinding("Observation/perf", RiskFeature.PERFORATION, "Perforated primary tumour")


def test_hipec_for_t4_colorectal_cancer_without_pm_is_a_warning() -> None:
    picture = chart(
        pm=False, interventions=(intervention(drugs=frozenset({Drug.OXALIPLATIN})),), risk_features=(T4,)
    )
    finding = fired(proactive_hipec, picture)
    assert finding.indicator is Indicator.WARNING
    assert "T4 primary tumour" in finding.summary
    assert "oxaliplatin-based, as in both trials" in finding.detail


def test_hipec_for_perforated_cancer_with_unnamed_drug_says_so() -> None:
    picture = chart(pm=False, interventions=(intervention(),), risk_features=(PERFORATION,))
    finding = fired(proactive_hipec, picture)
    assert "The order names no drug" in finding.detail


def test_hipec_with_mitomycin_says_the_trials_tested_oxaliplatin() -> None:
    picture = chart(
        pm=False, interventions=(intervention(drugs=frozenset({Drug.MITOMYCIN})),), risk_features=(T4,)
    )
    assert "The order names mitomycin" in fired(proactive_hipec, picture).detail


def test_prophylactic_without_risk_feature_gives_no_card() -> None:
    assert run(proactive_hipec, chart(pm=False, interventions=(intervention(),))) is None


def test_prophylactic_with_pm_gives_no_card() -> None:
    assert run(proactive_hipec, chart(interventions=(intervention(),), risk_features=(T4,))) is None


def test_prophylactic_needs_hipec_under_review_and_colorectal_primary() -> None:
    crs = intervention(InterventionKind.CRS)
    assert run(proactive_hipec, chart(pm=False, interventions=(crs,), risk_features=(T4,))) is None
    assert run(proactive_hipec, chart(Cancer.OVARIAN, pm=False, interventions=(intervention(),))) is None


# --- HIPEC-OXALIPLATIN ---


def oxaliplatin_draft(under_review: bool = False, start: date | None = None) -> MedicationOrder:
    return medication_order(
        Drug.OXALIPLATIN, ref="MedicationRequest/ox", under_review=under_review, start=start
    )


def test_oxaliplatin_hipec_order_for_colorectal_pm_is_info() -> None:
    picture = chart(interventions=(intervention(drugs=frozenset({Drug.OXALIPLATIN})),))
    finding = fired(oxaliplatin_hipec, picture)
    assert finding.indicator is Indicator.INFO
    assert "no overall-survival gain over CRS alone (42 vs 41 months), more complications" in finding.summary
    assert finding.summary.startswith("Oxaliplatin HIPEC ordered for 2026-03-20, colorectal PM")
    assert "In a randomised trial (PRODIGE 7, the review's reference 35)" in finding.detail


def test_oxaliplatin_card_states_each_cms4_figure_of_its_own_cohort() -> None:
    """75 % of the peritoneal metastases (CRC-PM-REVIEW l.245-251) and 60 % of the primary tumours of patients
    presenting with PM (l.71-73): two cohorts, each figure said of its own, neither generalised."""
    assert CMS4_OXALIPLATIN_RESISTANCE["share"] == 75 and CMS4_IN_PRIMARY_TUMOURS["share"] == 60
    assert OXALIPLATIN_HIPEC_TRIAL["survival_hipec"] == 42 and OXALIPLATIN_HIPEC_TRIAL["survival_crs"] == 41
    picture = chart(interventions=(intervention(drugs=frozenset({Drug.OXALIPLATIN})),))
    detail = fired(oxaliplatin_hipec, picture).detail
    assert CMS4_OXALIPLATIN_RESISTANCE.text() in detail and CMS4_IN_PRIMARY_TUMOURS.said() in detail
    assert "most of them (75%) classified as the CMS4 subtype" in detail
    assert "primary tumours of patients presenting with peritoneal metastasis" in detail
    assert "About 75%" not in detail


def test_hipec_with_oxaliplatin_draft_in_same_call_is_info_naming_the_draft() -> None:
    draft = oxaliplatin_draft(start=date(2026, 3, 20))
    finding = fired(oxaliplatin_hipec, chart(interventions=(intervention(),), medication_orders=(draft,)))
    assert "Oxaliplatin order drafted in the same session (start 2026-03-20)" in finding.detail
    assert "MedicationRequest/ox" not in finding.detail


def test_hipec_with_unknown_drug_gives_no_oxaliplatin_card() -> None:
    assert run(oxaliplatin_hipec, chart(interventions=(intervention(),))) is None


def test_hipec_with_mitomycin_gives_no_oxaliplatin_card() -> None:
    picture = chart(interventions=(intervention(drugs=frozenset({Drug.MITOMYCIN})),))
    assert run(oxaliplatin_hipec, picture) is None


def test_oxaliplatin_hipec_needs_colorectal_pm() -> None:
    ox = intervention(drugs=frozenset({Drug.OXALIPLATIN}))
    assert run(oxaliplatin_hipec, chart(pm=False, interventions=(ox,))) is None
    assert run(oxaliplatin_hipec, chart(Cancer.HCC, interventions=(ox,))) is None


# --- HIPEC-HCC-POSTOP ---


def done_crs(on: date | None) -> Intervention:
    return intervention(InterventionKind.CRS, "Procedure/crs", under_review=False, done=True, on=on)


def test_postop_card_states_the_two_month_date_as_arithmetic() -> None:
    finding = fired(
        hcc_after_cytoreduction, chart(Cancer.HCC, interventions=(done_crs(date(2026, 1, 20)),)), VIEW
    )
    assert finding.indicator is Indicator.INFO
    assert "until about 2026-03-20" in finding.summary
    assert "date arithmetic" in finding.detail


def test_postop_card_on_the_last_day_of_the_two_months() -> None:
    assert run(hcc_after_cytoreduction, chart(Cancer.HCC, interventions=(done_crs(date(2026, 1, 2)),)), VIEW)


def test_postop_card_gone_the_day_after_the_two_months() -> None:
    picture = chart(Cancer.HCC, interventions=(done_crs(date(2026, 1, 1)),))
    assert run(hcc_after_cytoreduction, picture, VIEW) is None


def test_postop_undated_surgery_fires_and_says_the_date_is_unknown() -> None:
    finding = fired(hcc_after_cytoreduction, chart(Cancer.HCC, interventions=(done_crs(None),)), VIEW)
    assert "date not on record" in finding.summary


def test_postop_does_not_need_pm_on_record() -> None:
    picture = chart(Cancer.HCC, pm=False, interventions=(done_crs(date(2026, 2, 1)),))
    assert run(hcc_after_cytoreduction, picture, VIEW) is not None


def test_postop_needs_hcc_and_surgery_done() -> None:
    planned = intervention(InterventionKind.CRS, under_review=False)
    assert run(hcc_after_cytoreduction, chart(Cancer.HCC, interventions=(planned,)), VIEW) is None
    assert (
        run(hcc_after_cytoreduction, chart(Cancer.COLORECTAL, interventions=(done_crs(TODAY),)), VIEW) is None
    )


def test_add_months_clamps_to_the_end_of_month() -> None:
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


# --- PIPAC-PALLIATIVE ---


def test_pipac_for_colorectal_pm_is_info() -> None:
    picture = chart(interventions=(intervention(InterventionKind.PIPAC, "ServiceRequest/pipac"),))
    finding = fired(pipac_palliative, picture)
    assert finding.indicator is Indicator.INFO
    assert "PCI not on record" in finding.detail
    assert finding.summary.startswith("PIPAC ordered for 2026-03-20, colorectal PM (PCI not on record)")


def test_pipac_detail_names_its_section_once_then_the_sources_caveat() -> None:
    finding = fired(pipac_palliative, chart(interventions=(intervention(InterventionKind.PIPAC),)))
    section = f"({PIPAC_PHASE_TWO_TRIAL.section})"
    assert finding.detail.count(section) == 1
    assert finding.detail.endswith(f"{section} {PIPAC_PHASE_TWO_TRIAL.caveats[0]}")


def test_pipac_summary_names_the_pci_and_an_undated_order() -> None:
    pipac = intervention(InterventionKind.PIPAC, "ServiceRequest/pipac", on=None)
    finding = fired(pipac_palliative, chart(interventions=(pipac,), scores=(score(Scale.PCI, 28),)))
    assert finding.summary.startswith("PIPAC ordered (undated), colorectal PM (PCI 28)")


def test_pipac_without_colorectal_pm_gives_no_card() -> None:
    pipac = intervention(InterventionKind.PIPAC)
    assert run(pipac_palliative, chart(pm=False, interventions=(pipac,))) is None
    assert run(pipac_palliative, chart(Cancer.LUNG, interventions=(pipac,))) is None
    assert run(pipac_palliative, chart(interventions=(intervention(),))) is None


def test_postop_summary_names_what_was_done_on_the_latest_day() -> None:
    on = date(2026, 2, 9)
    hipec = intervention(InterventionKind.HIPEC, "Procedure/crs", under_review=False, done=True, on=on)
    older = intervention(
        InterventionKind.HIPEC, "Procedure/old", under_review=False, done=True, on=date(2025, 6, 1)
    )
    picture = chart(Cancer.HCC, interventions=(done_crs(on), hipec, older))
    finding = fired(hcc_after_cytoreduction, picture, VIEW)
    assert finding.summary.startswith("Cytoreductive surgery + HIPEC done 2026-02-09")
    assert "2025-06-01" not in finding.detail


def test_hcc_patient_view_lists_a_planned_order() -> None:
    planned = intervention(InterventionKind.CRS, "ServiceRequest/crs", under_review=False)
    finding = fired(hipec_for_hcc, chart(Cancer.HCC, interventions=(planned,), afp=afp(False)), VIEW)
    assert (
        "- **Planned**: cytoreductive surgery (cytoreductive surgery; requested for 2026-03-20)."
        in finding.detail
    )
    assert "ServiceRequest/crs" not in finding.detail

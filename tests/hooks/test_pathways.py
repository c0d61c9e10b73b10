"""The general PM guidance and the ovarian and breast pathways as pure functions, at their boundaries."""

from __future__ import annotations

from datetime import date

from cds_service.engine.run import run_rules
from cds_service.engine.types import Indicator
from fhir_mappings.facts import (
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    Metastasis,
    MetastaticSite,
    Scale,
    Score,
    StatusReport,
    Trend,
)
from hooks.rules import ALL_RULES
from hooks.rules.pathways import (
    breast_oligometastatic,
    general_guidance,
    ovarian_doublet,
    unknown_primary,
)
from hooks.statements.pathways import BREAST_OLIGOMETASTATIC_SUBSET
from tests.facts import LIVER, OMENTUM, VIEW, with_primaries
from tests.facts import given as administered

BONE = Metastasis("Condition/bone", MetastaticSite.BONE, "bone", "Secondary malignant neoplasm of bone")

RULES = tuple(r for r in ALL_RULES if r.id in {"PM-GENERAL", "PM-UNKNOWN-PRIMARY", "OV-DOUBLET", "BR-OLIGO"})
PM = Metastasis("Condition/pm", MetastaticSite.PERITONEUM, "peritoneum", "Peritoneal carcinomatosis")
ECOG_1 = Score(Scale.ECOG, 1, date(2026, 2, 20), "Observation/ecog")
PCI_12 = Score(Scale.PCI, 12, date(2026, 2, 10), "Observation/pci")


def cancer(
    kind: Cancer, name: str = "", recurrent: bool = False, ref: str = "Condition/primary"
) -> CancerCondition:
    return CancerCondition(ref, kind, name or f"{kind.value} cancer", recurrent)


def chart(
    *primaries: CancerCondition,
    metastases: tuple[Metastasis, ...] = (PM,),
    scores: tuple[Score, ...] = (),
    given: tuple[Drug, ...] = (),
    status: StatusReport | None = None,
) -> ClinicalPicture:
    return with_primaries(
        *primaries,
        metastases=metastases,
        scores=scores,
        administrations=administered(*given),
        disease_status=status,
    )


def fired(picture: ClinicalPicture) -> list[tuple[str, str]]:
    return [(r.id, f.indicator.value) for r, f in run_rules(RULES, picture, VIEW)]


# PM-GENERAL


def test_general_guidance_for_gastric_pm_names_the_patient_values() -> None:
    finding = general_guidance.evaluate(
        chart(cancer(Cancer.OTHER, "Malignant neoplasm of stomach"), scores=(ECOG_1,)),
        VIEW,
    )
    assert finding is not None and finding.indicator is Indicator.INFO
    assert "stomach" in finding.summary and "ECOG 1" in finding.summary
    assert "(1 metastatic site: peritoneum; ECOG 1)" in finding.summary
    assert (
        "- Metastatic sites on record: 1: peritoneum (peritoneum and omentum count as one)." in finding.detail
    )
    assert "- Peritoneal metastasis: Peritoneal carcinomatosis." in finding.detail
    assert "ECOG 1 on 2026-02-20" in finding.detail
    assert "Observation/" not in finding.detail and "Condition/" not in finding.detail
    assert "(From the Guidelines)" in finding.detail
    assert "(Key considerations in managing carcinomatosis)" in finding.detail
    assert "l." not in finding.detail and "CARCINOMATOSIS-OVERVIEW" not in finding.detail


def test_general_guidance_without_performance_status_says_it_is_missing() -> None:
    finding = general_guidance.evaluate(chart(cancer(Cancer.COLORECTAL)), VIEW)
    assert finding is not None
    assert "no ECOG on record" in finding.summary
    assert "ECOG not on record; Karnofsky not on record" in finding.detail


def test_general_guidance_drops_rather_than_cure_and_keeps_survival_and_quality_of_life() -> None:
    finding = general_guidance.evaluate(chart(cancer(Cancer.COLORECTAL)), VIEW)
    assert finding is not None
    assert "cure" not in finding.summary + finding.detail
    assert "aim for survival and quality of life" in finding.summary
    assert "care aims to extend survival and improve quality of life" in finding.detail


def test_general_guidance_counts_sites_in_the_plural() -> None:
    finding = general_guidance.evaluate(chart(cancer(Cancer.COLORECTAL), metastases=(PM, LIVER)), VIEW)
    assert finding is not None and "2 metastatic sites" in finding.summary


def test_general_guidance_summary_stays_under_140_with_a_long_name_and_no_ecog() -> None:
    long_name = "Malignant neoplasm of overlapping sites of stomach with a very long local description"
    sites = tuple(
        Metastasis(f"Condition/m{i}", MetastaticSite.OTHER, f"site-{i}", "Secondary neoplasm")
        for i in range(11)
    )
    finding = general_guidance.evaluate(
        chart(cancer(Cancer.OTHER, long_name), metastases=(PM, *sites)),
        VIEW,
    )
    assert finding is not None and len(finding.summary) < 140
    assert "(12 metastatic sites: peritoneum, other site; no ECOG on record)" in finding.summary


def test_general_guidance_needs_pm() -> None:
    assert general_guidance.evaluate(chart(cancer(Cancer.OTHER), metastases=(LIVER,)), VIEW) is None


def test_general_guidance_needs_a_primary() -> None:
    assert general_guidance.evaluate(chart(), VIEW) is None


def test_general_guidance_gives_way_to_a_pathway_card() -> None:
    assert fired(chart(cancer(Cancer.OVARIAN))) == [("OV-DOUBLET", "info")]


def test_general_guidance_stays_for_breast_pm_with_two_sites() -> None:
    assert fired(chart(cancer(Cancer.BREAST), metastases=(PM, LIVER))) == [("PM-GENERAL", "info")]


# PM-UNKNOWN-PRIMARY


def test_pm_without_primary_is_a_warning_naming_the_metastasis() -> None:
    finding = unknown_primary.evaluate(chart(metastases=(LIVER, PM)), VIEW)
    assert finding is not None and finding.indicator is Indicator.WARNING
    assert finding.summary.startswith("Peritoneal carcinomatosis is on record but no primary")
    assert "Primary cancer: none on record" in finding.detail
    assert "care of carcinomatosis. (Key considerations in managing carcinomatosis)" in finding.detail


def test_pm_with_an_other_primary_is_not_unknown() -> None:
    assert unknown_primary.evaluate(chart(cancer(Cancer.OTHER)), VIEW) is None
    assert fired(chart(cancer(Cancer.OTHER))) == [("PM-GENERAL", "info")]


def test_metastasis_outside_the_peritoneum_without_primary_gets_no_card() -> None:
    assert fired(chart(metastases=(LIVER,))) == []


def test_omental_metastasis_alone_counts_as_pm_without_primary() -> None:
    assert fired(chart(metastases=(OMENTUM,))) == [("PM-UNKNOWN-PRIMARY", "warning")]


# OV-DOUBLET


def test_ovarian_pm_without_therapy_gets_the_doublet_first() -> None:
    finding = ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN), scores=(ECOG_1,)), VIEW)
    assert finding is not None and finding.indicator is Indicator.INFO
    assert finding.summary.startswith("Ovarian cancer with PM, no systemic therapy on record (ECOG 1)")
    assert "- Systemic therapy on record: none on record." in finding.detail
    guidance = finding.detail.split("\n\n", 1)[1]
    assert guidance.index("Calvert formula") < guidance.index("platinum-sensitive recurrent")
    assert (
        "(Carcinomatosis treatment options)" in guidance and "(Role of bevacizumab in treatment)" in guidance
    )
    assert "every 3 weeks" in guidance
    assert "no target AUC" in guidance
    assert "not derived from the record" not in guidance


def test_recurrent_ovarian_pm_leads_with_bevacizumab_for_platinum_sensitive_recurrence() -> None:
    picture = chart(
        cancer(Cancer.OVARIAN, recurrent=True),
        given=(Drug.CARBOPLATIN, Drug.PACLITAXEL),
        scores=(ECOG_1,),
        status=StatusReport("Observation/status", Trend.PROGRESSION, date(2026, 2, 1)),
    )
    finding = ovarian_doublet.evaluate(picture, VIEW)
    assert finding is not None
    assert finding.summary.startswith("Recurrent ovarian cancer with PM (ECOG 1): if platinum-sensitive")
    assert "(recurrent)" in finding.detail
    assert "- Systemic therapy on record: carboplatin, paclitaxel." in finding.detail
    assert "- Disease status: progression on 2026-02-01." in finding.detail
    guidance = finding.detail.split("\n\n", 1)[1]
    assert guidance.index("platinum-sensitive recurrent") < guidance.index("Calvert formula")
    assert "not derived from the record" in guidance


def test_pm_after_an_ovarian_primary_on_record_only_as_history_is_read_as_recurrence() -> None:
    """Z85.43 history of ovarian cancer, PM now: the recurrence statements lead, not the initial-treatment
    doublet (review of issue #16)."""
    history = CancerCondition(
        "Condition/primary", Cancer.OVARIAN, "History of ovarian cancer", False, active=False
    )
    finding = ovarian_doublet.evaluate(chart(history, scores=(ECOG_1,)), VIEW)
    assert finding is not None
    assert finding.summary.startswith("Recurrent ovarian cancer with PM (ECOG 1): if platinum-sensitive")
    assert "- Primary: History of ovarian cancer (history or resolved on record)." in finding.detail
    guidance = finding.detail.split("\n\n", 1)[1]
    assert guidance.index("platinum-sensitive recurrent") < guidance.index("Calvert formula")


def test_ovarian_pm_with_therapy_on_record_names_it_in_the_summary() -> None:
    finding = ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN), given=(Drug.CARBOPLATIN,)), VIEW)
    assert finding is not None
    assert finding.summary.startswith("Ovarian cancer with PM (no ECOG on record), on record carboplatin")


def test_ovarian_without_ecog_or_status_names_them_as_missing() -> None:
    finding = ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN)), VIEW)
    assert finding is not None
    assert "no ECOG on record" in finding.summary
    assert "- Performance status: ECOG not on record." in finding.detail
    assert "- Disease status: not on record." in finding.detail


def test_ovarian_without_pm_gets_no_doublet_card() -> None:
    assert ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN), metastases=(LIVER,)), VIEW) is None
    assert ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN), metastases=()), VIEW) is None


def test_other_primary_with_pm_gets_no_doublet_card() -> None:
    assert ovarian_doublet.evaluate(chart(cancer(Cancer.CERVICAL)), VIEW) is None


def test_ovarian_summaries_stay_under_140() -> None:
    long_therapy = tuple(Drug)
    for picture in (
        chart(cancer(Cancer.OVARIAN), given=long_therapy),
        chart(cancer(Cancer.OVARIAN, recurrent=True), given=long_therapy),
        chart(cancer(Cancer.OVARIAN)),
    ):
        finding = ovarian_doublet.evaluate(picture, VIEW)
        assert finding is not None
        assert len(finding.summary) < 140, finding.summary


# BR-OLIGO


def test_breast_with_pm_as_the_only_site_gets_the_oligometastatic_card() -> None:
    picture = chart(cancer(Cancer.BREAST), scores=(ECOG_1, PCI_12))
    finding = breast_oligometastatic.evaluate(picture, VIEW)
    assert finding is not None and finding.indicator is Indicator.INFO
    expected = (
        "Breast cancer, PM only (ECOG 1): if disease is limited (oligometastatic), an aggressive approach"
    )
    assert finding.summary == expected + " may be discussed; not tested in RCTs"
    assert "- Extent of peritoneal disease: PCI 12 on 2026-02-10." in finding.detail
    assert (
        "- Metastatic sites on record: 1, peritoneum (omentum included); no other metastatic site on record."
        in finding.detail
    )
    assert "not been tested in prospective randomised trials" in finding.detail
    assert "ranges from a solitary lesion to diffuse disease of several organs" in finding.detail
    assert "(From the Guidelines)" in finding.detail and "l." not in finding.detail
    assert fired(picture) == [("BR-OLIGO", "info")]


def test_single_site_threshold_is_one() -> None:
    assert BREAST_OLIGOMETASTATIC_SUBSET["solitary"] == 1


def test_breast_with_pm_and_a_second_site_gets_no_oligometastatic_card() -> None:
    assert breast_oligometastatic.evaluate(chart(cancer(Cancer.BREAST), metastases=(PM, LIVER)), VIEW) is None


def test_peritoneal_and_omental_metastases_are_one_site() -> None:
    picture = chart(cancer(Cancer.BREAST), metastases=(PM, OMENTUM))
    assert picture.metastatic_site_count == 1
    assert breast_oligometastatic.evaluate(picture, VIEW) is not None


def test_breast_with_a_single_site_outside_the_peritoneum_gets_no_card() -> None:
    """The service's scope is PM: a liver-only breast chart is outside it."""
    assert breast_oligometastatic.evaluate(chart(cancer(Cancer.BREAST), metastases=(LIVER,)), VIEW) is None
    assert fired(chart(cancer(Cancer.BREAST), metastases=(LIVER,))) == []


def test_breast_without_metastasis_gets_no_card() -> None:
    assert breast_oligometastatic.evaluate(chart(cancer(Cancer.BREAST), metastases=()), VIEW) is None


def test_breast_without_ecog_or_pci_names_them_as_missing() -> None:
    finding = breast_oligometastatic.evaluate(chart(cancer(Cancer.BREAST, recurrent=True)), VIEW)
    assert finding is not None
    assert finding.summary.startswith("Breast cancer, PM only (no ECOG)")
    assert "not tested in RCTs" in finding.summary and len(finding.summary) < 140
    assert "(recurrent)" in finding.detail
    assert "Extent of peritoneal disease: PCI not on record" in finding.detail
    assert "Performance status: ECOG not on record" in finding.detail


def test_breast_pm_as_only_site_with_another_pm_primary_card_still_shows() -> None:
    picture = chart(cancer(Cancer.BREAST), cancer(Cancer.OVARIAN, ref="Condition/ov"))
    assert fired(picture) == [("OV-DOUBLET", "info"), ("BR-OLIGO", "info")]


def test_unknown_primary_summary_stays_under_140_with_a_long_metastasis_name() -> None:
    long_pm = Metastasis("Condition/pm", MetastaticSite.PERITONEUM, "peritoneum", "Secondary malignant " * 8)
    finding = unknown_primary.evaluate(chart(metastases=(long_pm,)), VIEW)
    assert finding is not None and len(finding.summary) < 140
    assert finding.summary.endswith("is on record but no primary cancer: record the primary type")


def test_ovarian_detail_introduces_the_first_statement_as_guideline() -> None:
    for recurrent in (False, True):
        finding = ovarian_doublet.evaluate(chart(cancer(Cancer.OVARIAN, recurrent=recurrent)), VIEW)
        assert finding is not None
        assert finding.detail.split("\n\n", 1)[1].startswith("Guideline: ")
        assert finding.detail.count("Guideline: ") == 1


# Revision 2: every coded metastatic site counted and named


def test_general_guidance_names_every_site_on_record_peritoneum_first() -> None:
    finding = general_guidance.evaluate(chart(cancer(Cancer.OTHER), metastases=(BONE, PM, LIVER)), VIEW)
    assert finding is not None
    assert "(3 metastatic sites: peritoneum, bone, other site; no ECOG on record)" in finding.summary
    assert (
        "- Metastatic sites on record: 3: peritoneum, bone, Secondary malignant neoplasm of liver (peritoneum "
        "and omentum count as one)." in finding.detail
    )
    assert len(finding.summary) < 140


def test_breast_with_peritoneum_and_bone_gets_the_general_card_naming_both_sites_not_the_oligo_card() -> None:
    picture = chart(cancer(Cancer.BREAST), metastases=(PM, BONE), scores=(ECOG_1,))
    assert breast_oligometastatic.evaluate(picture, VIEW) is None
    assert fired(picture) == [("PM-GENERAL", "info")]
    finding = general_guidance.evaluate(picture, VIEW)
    assert finding is not None
    assert "(2 metastatic sites: peritoneum, bone; ECOG 1)" in finding.summary
    assert "PM only" not in finding.summary and "single" not in finding.summary + finding.detail


def test_breast_oligo_card_needs_the_breast_primary_to_explain_the_pm() -> None:
    """The picture holds only the primaries that explain the PM: with an active colon cancer on record, a
    resolved breast cancer is not among them, so no breast card."""
    colon = cancer(Cancer.COLORECTAL, ref="Condition/colon")
    assert breast_oligometastatic.evaluate(chart(colon), VIEW) is None
    assert fired(chart(colon)) == [("PM-GENERAL", "info")]


def test_breast_recorded_as_history_alone_explains_the_pm_and_gets_the_oligo_card() -> None:
    history = CancerCondition("Condition/z85", Cancer.BREAST, "History of breast cancer", False, active=False)
    finding = breast_oligometastatic.evaluate(chart(history), VIEW)
    assert finding is not None and finding.summary.startswith("Breast cancer, PM only")

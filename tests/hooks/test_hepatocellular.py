"""The HCC pathway rules as pure functions: frontline therapy, AFP monitoring, progression, GEMOX as salvage."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.engine.statements import Param
from cds_service.engine.types import CreateServiceRequest, Indicator
from fhir_mappings.facts import (
    Administration,
    CancerCondition,
    ClinicalPicture,
    Drug,
    MarkerResult,
    MedicationOrder,
    Metastasis,
    Orderable,
    StatusReport,
    Trend,
)
from hooks.rules.chart import add_months
from hooks.rules.hepatocellular import (
    afp_overdue,
    hcc_afp_monitoring,
    hcc_frontline,
    hcc_gemox_order,
    hcc_progression,
)
from hooks.statements.hepatocellular import (
    HCC_AFP_MONITORING,
    HCC_AFTER_PROGRESSION,
    HCC_ALGORITHM_FRONTLINE,
    HCC_GEMOX_SALVAGE,
    NO_DELAY_FOR_SURGERY,
)
from tests.facts import (
    HCC,
    LIVER,
    LUNG,
    PM,
    SIGN,
    TODAY,
    VIEW,
    given,
    medication_order,
    with_primaries,
)


def order(
    drug: Drug, status: str = "draft", under_review: bool = True, ref: str | None = None
) -> MedicationOrder:
    return medication_order(drug, ref=ref, status=status, under_review=under_review and status == "draft")


def chart(
    cancer: CancerCondition | None = HCC,
    metastases: tuple[Metastasis, ...] = (PM,),
    administrations: tuple[Administration, ...] = (),
    orders: tuple[MedicationOrder, ...] = (),
    afp: MarkerResult | None = None,
    status: StatusReport | None = None,
) -> ClinicalPicture:
    return with_primaries(
        *((cancer,) if cancer else ()),
        metastases=metastases,
        administrations=administrations,
        medication_orders=orders,
        afp=afp,
        disease_status=status,
    )


def afp_on(on: date | None) -> MarkerResult:
    return MarkerResult("Observation/afp-1", "412 ng/mL", on, normalised=False)


def progression(on: date | None = date(2026, 2, 20)) -> StatusReport:
    return StatusReport("Observation/status-1", Trend.PROGRESSION, on)


# HCC-FIRSTLINE


def test_hcc_with_pm_and_no_therapy_is_a_frontline_warning() -> None:
    finding = hcc_frontline.evaluate(chart(), VIEW)
    assert finding is not None
    assert finding.indicator is Indicator.WARNING
    assert "atezolizumab/bevacizumab or sorafenib" in finding.summary
    assert finding.summary.startswith("HCC with PM (no AFP on record), no systemic therapy on record")
    assert "none on record" in finding.detail
    assert NO_DELAY_FOR_SURGERY.text() in finding.detail
    assert len(finding.summary) < 140


def test_frontline_summary_shows_the_latest_afp_with_its_date() -> None:
    finding = hcc_frontline.evaluate(chart(afp=afp_on(date(2026, 2, 1))), VIEW)
    assert finding is not None
    assert finding.summary.startswith(
        "HCC with PM (AFP 412 ng/mL on 2026-02-01), no systemic therapy on record"
    )
    assert "- AFP: 412 ng/mL on 2026-02-01." in finding.detail
    assert len(finding.summary) < 140


def test_frontline_urgency_is_the_sources_own_and_no_stronger() -> None:
    """Revision 2: the source says not to delay systemic therapy in favour of a surgical consultation (said
    in the detail, from its statement); the card adds no urgency of its own ("start without delay")."""
    for afp in (None, afp_on(date(2026, 2, 1)), afp_on(None)):
        finding = hcc_frontline.evaluate(chart(afp=afp), VIEW)
        assert finding is not None
        assert finding.summary.endswith(
            "no systemic therapy on record: frontline is atezolizumab/bevacizumab or sorafenib"
        )
        card = (finding.summary + finding.detail).lower()
        assert "without delay" not in card
        assert "start" not in card
        assert "immediately" not in card
        assert NO_DELAY_FOR_SURGERY.said() in finding.detail
        assert len(finding.summary) < 140


@pytest.mark.parametrize("drug", [Drug.SORAFENIB, Drug.ATEZOLIZUMAB, Drug.GEMCITABINE])
def test_any_systemic_therapy_on_record_silences_frontline(drug: Drug) -> None:
    assert hcc_frontline.evaluate(chart(administrations=given(drug)), VIEW) is None


def test_an_active_sorafenib_order_counts_as_therapy_on_record() -> None:
    picture = chart(orders=(order(Drug.SORAFENIB, status="active"),))
    assert hcc_frontline.evaluate(picture, VIEW) is None


def test_a_cancelled_order_is_not_therapy_on_record() -> None:
    picture = chart(orders=(order(Drug.SORAFENIB, status="cancelled"),))
    assert hcc_frontline.evaluate(picture, VIEW) is not None


@pytest.mark.parametrize(("cancer", "metastases"), [(HCC, ()), (HCC, (LIVER,)), (LUNG, (PM,)), (None, (PM,))])
def test_frontline_needs_hcc_and_peritoneal_metastasis(
    cancer: CancerCondition | None, metastases: tuple[Metastasis, ...]
) -> None:
    assert hcc_frontline.evaluate(chart(cancer, metastases), VIEW) is None


# HCC-AFP-MONITOR


def test_monitoring_interval_is_three_calendar_months() -> None:
    assert HCC_AFP_MONITORING.param("longest_interval") == Param(3, "months")


def test_afp_exactly_three_months_old_is_within_the_interval() -> None:
    assert add_months(date(2025, 12, 2), 3) == TODAY
    assert hcc_afp_monitoring.evaluate(chart(afp=afp_on(date(2025, 12, 2))), VIEW) is None


def test_afp_three_months_and_one_day_old_is_overdue() -> None:
    finding = hcc_afp_monitoring.evaluate(chart(afp=afp_on(date(2025, 12, 1))), VIEW)
    assert finding is not None
    assert finding.indicator is Indicator.INFO
    assert "2025-12-01" in finding.summary
    assert "due by 2026-03-01 (3 months later)" in finding.detail
    assert "Last AFP: 412 ng/mL on 2025-12-01" in finding.detail
    assert finding.summary.endswith("monitor AFP and imaging every 2-3 months")
    (suggestion,) = finding.suggestions
    assert suggestion.actions == (CreateServiceRequest(Orderable.AFP_TEST, "Order a serum AFP test"),)


def test_month_end_clamps_to_the_shorter_month() -> None:
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 10, 31), 4) == date(2026, 2, 28)
    assert not afp_overdue(afp_on(date(2025, 11, 30)), date(2026, 2, 28))
    assert afp_overdue(afp_on(date(2025, 11, 30)), date(2026, 3, 1))


def test_add_months_crosses_the_year() -> None:
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_a_recent_afp_gives_no_card() -> None:
    assert hcc_afp_monitoring.evaluate(chart(afp=afp_on(date(2026, 2, 1))), VIEW) is None


def test_an_afp_dated_after_today_is_within_the_interval() -> None:
    assert hcc_afp_monitoring.evaluate(chart(afp=afp_on(date(2026, 3, 5))), VIEW) is None


def test_no_afp_on_record_asks_for_one() -> None:
    finding = hcc_afp_monitoring.evaluate(chart(), VIEW)
    assert finding is not None
    assert "no AFP on record" in finding.summary
    assert "- AFP: none on record." in finding.detail


def test_an_undated_afp_is_treated_as_no_dated_afp_and_says_so() -> None:
    finding = hcc_afp_monitoring.evaluate(chart(afp=afp_on(None)), VIEW)
    assert finding is not None
    assert "undated" in finding.summary
    assert "- AFP: 412 ng/mL has no date" in finding.detail


def test_afp_monitoring_needs_hcc_with_pm() -> None:
    assert hcc_afp_monitoring.evaluate(chart(LUNG), VIEW) is None
    assert hcc_afp_monitoring.evaluate(chart(metastases=()), VIEW) is None


# HCC-PROGRESSION


def test_progression_on_sorafenib_switches_to_lenvatinib_or_regorafenib() -> None:
    picture = chart(administrations=given(Drug.SORAFENIB), status=progression())
    finding = hcc_progression.evaluate(picture, VIEW)
    assert finding is not None
    assert finding.indicator is Indicator.INFO
    assert "on sorafenib" in finding.summary
    assert "lenvatinib or regorafenib" in finding.summary
    assert "2026-02-20" in finding.summary
    assert "- Disease status: progression (2026-02-20), the latest status on record." in finding.detail
    assert HCC_AFTER_PROGRESSION.text() in finding.detail


def test_progression_on_atezolizumab_bevacizumab_switches() -> None:
    picture = chart(administrations=given(Drug.ATEZOLIZUMAB, Drug.BEVACIZUMAB), status=progression())
    finding = hcc_progression.evaluate(picture, VIEW)
    assert finding is not None
    assert "atezolizumab/bevacizumab" in finding.summary


def test_atezolizumab_without_bevacizumab_is_not_the_frontline_regimen() -> None:
    picture = chart(administrations=given(Drug.ATEZOLIZUMAB), status=progression())
    assert hcc_progression.evaluate(picture, VIEW) is None


def test_further_progression_after_immunotherapy_and_lenvatinib_considers_gemox() -> None:
    picture = chart(
        administrations=given(Drug.ATEZOLIZUMAB, Drug.BEVACIZUMAB, Drug.LENVATINIB), status=progression()
    )
    finding = hcc_progression.evaluate(picture, VIEW)
    assert finding is not None
    assert (
        finding.summary
        == "HCC progression (2026-02-20) on lenvatinib: consider GEMOX (gemcitabine + oxaliplatin)"
    )
    assert HCC_GEMOX_SALVAGE.text() in finding.detail


def test_further_progression_without_immunotherapy_considers_gemox_and_names_what_is_missing() -> None:
    """Sorafenib then lenvatinib, then progression: the algorithm's further-progression step (l.17) holds, and
    the card says that the source describes GEMOX as salvage after immunotherapy and TKIs (l.8)."""
    picture = chart(administrations=given(Drug.SORAFENIB, Drug.LENVATINIB), status=progression())
    finding = hcc_progression.evaluate(picture, VIEW)
    assert finding is not None and finding.indicator is Indicator.INFO
    assert (
        finding.summary
        == "HCC further progression (2026-02-20) on lenvatinib: GEMOX may be considered; no immunotherapy on record"
    )
    assert "- Prior immunotherapy: none on record." in finding.detail
    assert "- Prior tyrosine kinase inhibitor: sorafenib, lenvatinib." in finding.detail
    guidance = finding.detail.split("\n\n", 1)[1]
    assert guidance.index(HCC_AFTER_PROGRESSION.text()) < guidance.index(HCC_GEMOX_SALVAGE.text())
    assert HCC_ALGORITHM_FRONTLINE.text() in guidance


def test_progression_after_gemox_has_no_further_step() -> None:
    picture = chart(
        administrations=given(Drug.SORAFENIB, Drug.REGORAFENIB, Drug.GEMCITABINE, Drug.OXALIPLATIN),
        status=progression(),
    )
    assert hcc_progression.evaluate(picture, VIEW) is None


def test_progression_with_no_therapy_on_record_is_left_to_frontline() -> None:
    picture = chart(status=progression())
    assert hcc_progression.evaluate(picture, VIEW) is None
    assert hcc_frontline.evaluate(picture, VIEW) is not None


@pytest.mark.parametrize("trend", [Trend.RESPONSE, Trend.STABLE, Trend.UNDETERMINED])
def test_no_progression_no_card(trend: Trend) -> None:
    status = StatusReport("Observation/status-1", trend, date(2026, 2, 20))
    picture = chart(administrations=given(Drug.SORAFENIB), status=status)
    assert hcc_progression.evaluate(picture, VIEW) is None


def test_unknown_disease_status_gives_no_progression_card() -> None:
    picture = chart(administrations=given(Drug.SORAFENIB))
    assert hcc_progression.evaluate(picture, VIEW) is None


def test_undated_progression_says_undated() -> None:
    picture = chart(administrations=given(Drug.SORAFENIB), status=progression(None))
    finding = hcc_progression.evaluate(picture, VIEW)
    assert finding is not None
    assert "(undated)" in finding.summary


# HCC-GEMOX-SIGN


def gemox_drafts(under_review: bool = True) -> tuple[MedicationOrder, ...]:
    return (order(Drug.GEMCITABINE, under_review=under_review), order(Drug.OXALIPLATIN))


def test_gemox_with_no_prior_therapy_is_salvage_info() -> None:
    finding = hcc_gemox_order.evaluate(chart(orders=gemox_drafts()), SIGN)
    assert finding is not None
    assert finding.indicator is Indicator.INFO
    assert "no prior immunotherapy or TKI" in finding.summary
    assert "- Gemcitabine: draft under review." in finding.detail
    assert "- Prior immunotherapy: none on record." in finding.detail


def test_gemox_after_immunotherapy_only_names_the_missing_tki() -> None:
    picture = chart(administrations=given(Drug.ATEZOLIZUMAB, Drug.BEVACIZUMAB), orders=gemox_drafts())
    finding = hcc_gemox_order.evaluate(picture, SIGN)
    assert finding is not None
    assert "no prior TKI" in finding.summary
    assert "- Prior immunotherapy: atezolizumab." in finding.detail


def test_gemox_after_tki_only_names_the_missing_immunotherapy() -> None:
    picture = chart(administrations=given(Drug.SORAFENIB, Drug.LENVATINIB), orders=gemox_drafts())
    finding = hcc_gemox_order.evaluate(picture, SIGN)
    assert finding is not None
    assert "no prior immunotherapy on record" in finding.summary


def test_gemox_after_immunotherapy_and_tki_is_salvage_as_the_source_says() -> None:
    picture = chart(administrations=given(Drug.ATEZOLIZUMAB, Drug.SORAFENIB), orders=gemox_drafts())
    assert hcc_gemox_order.evaluate(picture, SIGN) is None


def test_gemcitabine_draft_with_an_active_oxaliplatin_order_is_gemox() -> None:
    picture = chart(orders=(order(Drug.GEMCITABINE), order(Drug.OXALIPLATIN, status="active")))
    finding = hcc_gemox_order.evaluate(picture, SIGN)
    assert finding is not None
    assert "- Oxaliplatin: active order." in finding.detail


def test_a_completed_oxaliplatin_order_does_not_make_gemox() -> None:
    picture = chart(orders=(order(Drug.GEMCITABINE), order(Drug.OXALIPLATIN, status="completed")))
    assert hcc_gemox_order.evaluate(picture, SIGN) is None


def test_oxaliplatin_alone_is_not_gemox() -> None:
    picture = chart(orders=(order(Drug.OXALIPLATIN),))
    assert hcc_gemox_order.evaluate(picture, SIGN) is None


def test_gemox_drafts_not_under_review_give_no_card() -> None:
    picture = chart(
        orders=(order(Drug.GEMCITABINE, under_review=False), order(Drug.OXALIPLATIN, under_review=False))
    )
    assert hcc_gemox_order.evaluate(picture, SIGN) is None


def test_selecting_one_gemox_drug_with_the_other_an_unselected_draft_fires() -> None:
    picture = chart(orders=(order(Drug.GEMCITABINE), order(Drug.OXALIPLATIN, under_review=False)))
    assert hcc_gemox_order.evaluate(picture, SIGN) is not None


def test_gemox_for_another_primary_gives_no_card() -> None:
    assert hcc_gemox_order.evaluate(chart(LUNG, orders=gemox_drafts()), SIGN) is None
    assert hcc_gemox_order.evaluate(chart(metastases=(), orders=gemox_drafts()), SIGN) is None

"""Cervical-cancer pathway rules as pure functions: recurrence, ECOG, platinum history, progression, sites."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cds_service.engine.types import Indicator
from fhir_mappings.facts import (
    Administration,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    MedicationOrder,
    Metastasis,
    MetastaticSite,
    Scale,
    Score,
    StatusReport,
    Trend,
)
from hooks.rules.cervical import (
    FIRST_LINE_DRUGS,
    bevacizumab_with_poor_performance,
    carboplatin_without_prior_cisplatin,
    first_line_therapy,
    isolated_omental_resection,
    second_line_therapy,
)
from hooks.statements.cervical import PERFORMANCE_STATUS
from tests.facts import LIVER, SELECT, SIGN, TODAY, VIEW, medication_order, with_primaries

RECURRENT = CancerCondition("Condition/cervix", Cancer.CERVICAL, "Malignant tumor of cervix", True)
NOT_RECURRENT = CancerCondition("Condition/cervix", Cancer.CERVICAL, "Malignant tumor of cervix", False)
OVARIAN = CancerCondition("Condition/ovary", Cancer.OVARIAN, "Malignant tumor of ovary", True)
OMENTUM = Metastasis("Condition/omentum", MetastaticSite.OMENTUM, "peritoneum", "Omental metastasis")
PERITONEUM = Metastasis(
    "Condition/perit", MetastaticSite.PERITONEUM, "peritoneum", "Carcinomatosis of peritoneum"
)


def ecog(value: int) -> Score:
    return Score(Scale.ECOG, value, date(2026, 2, 20), "Observation/ecog-1")


def order(
    drug: Drug, status: str = "draft", under_review: bool = True, ref: str = "MedicationRequest/d1"
) -> MedicationOrder:
    return medication_order(
        drug,
        ref=ref,
        status=status,
        under_review=under_review,
        start=date(2025, 9, 1) if status != "draft" else TODAY,
        authored=None,
    )


def given(
    drug: Drug, on: date = date(2025, 9, 1), ref: str = "MedicationAdministration/a1"
) -> Administration:
    return Administration(ref, drug, on)


def chart(
    primary: CancerCondition | None = RECURRENT,
    mets: tuple[Metastasis, ...] = (OMENTUM,),
    score: Score | None = None,
    orders: tuple[MedicationOrder, ...] = (),
    administrations: tuple[Administration, ...] = (),
    status: StatusReport | None = None,
) -> ClinicalPicture:
    return with_primaries(
        *((primary,) if primary else ()),
        metastases=mets,
        scores=(score,) if score else (),
        medication_orders=orders,
        administrations=administrations,
        disease_status=status,
    )


# CERV-FIRSTLINE


def test_first_line_drugs_are_the_regimen_drugs() -> None:
    assert set(FIRST_LINE_DRUGS) == {Drug.CISPLATIN, Drug.CARBOPLATIN, Drug.PACLITAXEL, Drug.BEVACIZUMAB}
    assert (PERFORMANCE_STATUS["good_from"], PERFORMANCE_STATUS["good_to"]) == (0, 1)


def test_recurrent_cervical_with_omental_metastasis_and_no_therapy_gets_regimen_with_doses() -> None:
    found = first_line_therapy.evaluate(chart(score=ecog(1)), VIEW)
    assert found is not None
    assert found.indicator is Indicator.INFO
    assert "(ECOG 1): paclitaxel-cisplatin-bevacizumab preferred" in found.summary
    for text in (
        "paclitaxel-cisplatin-bevacizumab (Category I, A evidence).",
        "cisplatin is given at 50 mg/m² on day 2",
        "paclitaxel is given at 135 mg/m² over 24 hours on day 1",
        "bevacizumab is given at 15 mg/kg every 3 weeks",
        "carboplatin is dosed to a target AUC of 5 mg/mL·min on day 1",
        "paclitaxel is given at 175 mg/m² over 3 hours",
        "16.8 months vs 13.3 months",
        "carboplatin-paclitaxel-bevacizumab is the alternative (Category 2B).",
        "ECOG 1 on 2026-02-20; good performance status",
        "- Primary: Malignant tumor of cervix (recurrent).",
        "- Peritoneal metastasis: Omental metastasis.",
        "(ECOG 0-1); when it is poor, single-agent therapy or modified doses are to be considered. "
        "(Treatment selection: performance status)",
    ):
        assert text in found.detail, text
    assert "Condition/" not in found.detail and not re.search(r"\bl\.\s?\d", found.detail)
    assert "reads it as ECOG" not in found.detail


def test_first_line_ecog_2_points_to_single_agent_or_dose_modification() -> None:
    found = first_line_therapy.evaluate(chart(score=ecog(2)), VIEW)
    assert found is not None
    assert "ECOG 2: consider single-agent therapy or dose modification" in found.summary
    assert "poor performance status: consider single-agent therapy" in found.detail
    assert "this service reads it as ECOG 2 or more" in found.detail


def test_first_line_without_ecog_names_it_missing() -> None:
    found = first_line_therapy.evaluate(chart(), VIEW)
    assert found is not None
    assert "ECOG not on record" in found.summary
    assert "ECOG not on record; record it" in found.detail


def test_first_line_needs_documented_recurrence() -> None:
    assert first_line_therapy.evaluate(chart(primary=NOT_RECURRENT), VIEW) is None


def test_first_line_needs_peritoneal_metastasis_and_cervical_primary() -> None:
    assert first_line_therapy.evaluate(chart(mets=(LIVER,)), VIEW) is None
    assert first_line_therapy.evaluate(chart(mets=()), VIEW) is None
    assert first_line_therapy.evaluate(chart(primary=OVARIAN), VIEW) is None


@pytest.mark.parametrize("drug", FIRST_LINE_DRUGS)
def test_any_first_line_drug_on_record_silences_first_line(drug: Drug) -> None:
    assert first_line_therapy.evaluate(chart(administrations=(given(drug),)), VIEW) is None
    assert first_line_therapy.evaluate(chart(orders=(order(drug, "completed", False),)), VIEW) is None


def test_other_therapy_or_a_cancelled_order_does_not_count_as_first_line() -> None:
    found = first_line_therapy.evaluate(
        chart(
            orders=(order(Drug.CISPLATIN, "cancelled", False),), administrations=(given(Drug.PEMBROLIZUMAB),)
        ),
        VIEW,
    )
    assert found is not None
    assert "other anticancer therapy on record: pembrolizumab" in found.detail


# CERV-BEV-ECOG


@pytest.mark.parametrize(("value", "fires"), [(0, False), (1, False), (2, True), (4, True)])
def test_bevacizumab_for_cervical_warns_from_ecog_2(value: int, fires: bool) -> None:
    found = bevacizumab_with_poor_performance.evaluate(
        chart(score=ecog(value), orders=(order(Drug.BEVACIZUMAB),)),
        SELECT,
    )
    assert (found is not None) is fires
    if found is not None:
        assert found.indicator is Indicator.WARNING
        assert f"ECOG {value} on 2026-02-20" in found.summary
        assert "preferred for ECOG 0-1" in found.summary
        assert f"- **Bevacizumab order** under review, starting {TODAY.isoformat()}." in found.detail
        assert f"- Performance status: ECOG {value} on 2026-02-20." in found.detail
        assert "single-agent therapy or modified doses" in found.detail
        assert "this service reads it as ECOG 2 or more" in found.detail
        assert "MedicationRequest/" not in found.detail and "Observation/" not in found.detail


def test_bevacizumab_with_ecog_unknown_gives_no_card() -> None:
    assert bevacizumab_with_poor_performance.evaluate(chart(orders=(order(Drug.BEVACIZUMAB),)), SIGN) is None


def test_bevacizumab_ecog_rule_needs_cervical_primary_and_a_reviewed_order() -> None:
    poor = ecog(3)
    assert (
        bevacizumab_with_poor_performance.evaluate(
            chart(primary=OVARIAN, score=poor, orders=(order(Drug.BEVACIZUMAB),)),
            SELECT,
        )
        is None
    )
    assert (
        bevacizumab_with_poor_performance.evaluate(
            chart(score=poor, orders=(order(Drug.BEVACIZUMAB, under_review=False),)),
            SELECT,
        )
        is None
    )


# CERV-PLATINUM


def test_carboplatin_without_cisplatin_on_record_gets_the_trial_figures() -> None:
    found = carboplatin_without_prior_cisplatin.evaluate(
        chart(orders=(order(Drug.CARBOPLATIN),)),
        SELECT,
    )
    assert found is not None
    assert found.indicator is Indicator.INFO
    assert "OS 23.2 vs 13.0 mo" in found.summary
    assert "median overall survival 23.2 months vs 13.0 months" in found.detail
    assert "(hazard ratio 0.994). (Treatment selection: prior platinum exposure)" in found.detail
    assert (
        "carboplatin-paclitaxel-bevacizumab is the alternative (Category 2B). (First-line systemic therapy)"
        in (found.detail)
    )
    assert "Prior platinum on record: none" in found.detail
    assert "MedicationRequest/" not in found.detail
    assert len(found.summary) < 140


def test_carboplatin_after_cisplatin_gives_no_card() -> None:
    prior = order(Drug.CISPLATIN, "completed", False, ref="MedicationRequest/old")
    assert (
        carboplatin_without_prior_cisplatin.evaluate(
            chart(orders=(order(Drug.CARBOPLATIN), prior)),
            SIGN,
        )
        is None
    )
    assert (
        carboplatin_without_prior_cisplatin.evaluate(
            chart(orders=(order(Drug.CARBOPLATIN),), administrations=(given(Drug.CISPLATIN),)),
            SIGN,
        )
        is None
    )


def test_cisplatin_draft_is_not_prior_cisplatin() -> None:
    cis = order(Drug.CISPLATIN, ref="MedicationRequest/d2")
    found = carboplatin_without_prior_cisplatin.evaluate(
        chart(orders=(order(Drug.CARBOPLATIN), cis)),
        SIGN,
    )
    assert found is not None


def test_prior_carboplatin_only_is_named_as_prior_platinum() -> None:
    found = carboplatin_without_prior_cisplatin.evaluate(
        chart(orders=(order(Drug.CARBOPLATIN),), administrations=(given(Drug.CARBOPLATIN),)),
        SELECT,
    )
    assert found is not None
    assert "Prior platinum on record: carboplatin (no cisplatin)" in found.detail
    assert "prior platinum (carboplatin) but no cisplatin on record" in found.summary
    assert "weigh OS 23.2 vs 13.0 mo and HR 0.994" in found.summary
    assert len(found.summary) < 140


def test_carboplatin_outside_cervical_cancer_gives_no_card() -> None:
    assert (
        carboplatin_without_prior_cisplatin.evaluate(
            chart(primary=OVARIAN, orders=(order(Drug.CARBOPLATIN),)),
            SELECT,
        )
        is None
    )


# CERV-SECONDLINE


def progression(on: date | None = date(2026, 2, 20)) -> StatusReport:
    return StatusReport("Observation/status-1", Trend.PROGRESSION, on)


def test_progression_after_first_line_lists_second_line_options() -> None:
    found = second_line_therapy.evaluate(
        chart(
            administrations=(
                given(Drug.CISPLATIN),
                given(Drug.BEVACIZUMAB, ref="MedicationAdministration/a2"),
            ),
            status=progression(),
        ),
        VIEW,
    )
    assert found is not None
    assert found.indicator is Indicator.INFO
    assert "progression on 2026-02-20 after bevacizumab, cisplatin" in found.summary
    for text in (
        "topotecan",
        "gemcitabine",
        "cisplatin-gemcitabine (category 2B)",
        "cemiplimab",
        "pembrolizumab",
    ):
        assert text in found.detail
    assert "- First-line therapy on record: bevacizumab, cisplatin, since 2025-09-01." in found.detail
    assert "- Latest disease status: progression on 2026-02-20." in found.detail
    assert "(Second-line therapy)" in found.detail
    assert "MedicationAdministration/" not in found.detail and "Observation/" not in found.detail


def test_progression_without_first_line_therapy_gives_no_second_line_card() -> None:
    assert second_line_therapy.evaluate(chart(status=progression()), VIEW) is None


@pytest.mark.parametrize("trend", [Trend.STABLE, Trend.RESPONSE, Trend.UNDETERMINED])
def test_no_progression_gives_no_second_line_card(trend: Trend) -> None:
    status = StatusReport("Observation/status-1", trend, date(2026, 2, 20))
    assert (
        second_line_therapy.evaluate(
            chart(administrations=(given(Drug.PACLITAXEL),), status=status),
            VIEW,
        )
        is None
    )


def test_disease_status_unknown_gives_no_second_line_card() -> None:
    assert second_line_therapy.evaluate(chart(administrations=(given(Drug.PACLITAXEL),)), VIEW) is None


@pytest.mark.parametrize(
    ("on", "fires"),
    [(date(2025, 8, 31), False), (date(2025, 9, 1), False), (date(2025, 9, 2), True), (None, True)],
)
def test_progression_must_be_dated_after_the_first_first_line_dose_same_day_does_not_count(
    on: date | None, fires: bool
) -> None:
    found = second_line_therapy.evaluate(
        chart(administrations=(given(Drug.PACLITAXEL),), status=progression(on)),
        VIEW,
    )
    assert (found is not None) is fires


# CERV-OMENTAL-RESECTION


@pytest.mark.parametrize(("value", "fires"), [(0, True), (1, True), (2, False)])
def test_isolated_omental_recurrence_with_ecog_0_1_may_be_resected(value: int, fires: bool) -> None:
    found = isolated_omental_resection.evaluate(chart(score=ecog(value)), VIEW)
    assert (found is not None) is fires
    if found is not None:
        assert found.indicator is Indicator.INFO
        assert f"ECOG {value}" in found.summary
        assert "- Omental metastasis: Omental metastasis." in found.detail
        assert "- Metastatic sites on record: 1 (" in found.detail
        assert "technically resectable. (Surgical considerations)" in found.detail
        assert "Condition/" not in found.detail


def test_resection_with_ecog_unknown_names_it() -> None:
    found = isolated_omental_resection.evaluate(chart(), VIEW)
    assert found is not None
    assert "ECOG not on record" in found.summary
    assert "record it, good performance status favours surgery" in found.detail


def test_a_second_metastatic_site_rules_out_resection() -> None:
    assert isolated_omental_resection.evaluate(chart(mets=(OMENTUM, LIVER), score=ecog(0)), VIEW) is None


def test_peritoneal_metastasis_without_omental_one_is_not_isolated_omental() -> None:
    assert isolated_omental_resection.evaluate(chart(mets=(PERITONEUM,), score=ecog(0)), VIEW) is None


def test_peritoneal_record_beside_the_omental_one_is_shown_for_checking() -> None:
    found = isolated_omental_resection.evaluate(chart(mets=(OMENTUM, PERITONEUM), score=ecog(0)), VIEW)
    assert found is not None
    assert "Also on record: Carcinomatosis of peritoneum; the source's option" in found.detail


def test_resection_needs_documented_recurrence() -> None:
    assert isolated_omental_resection.evaluate(chart(primary=NOT_RECURRENT, score=ecog(0)), VIEW) is None

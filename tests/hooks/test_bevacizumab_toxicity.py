"""Bevacizumab toxicity rules (hypertension, VTE, fistula) as pure functions, at their thresholds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cds_service.engine.types import Indicator
from fhir_mappings.facts import (
    Administration,
    BloodPressure,
    ClinicalPicture,
    ComorbidCondition,
    Comorbidity,
    Drug,
    MedicationOrder,
)
from hooks.rules.bevacizumab_toxicity import (
    CYCLE,
    bevacizumab_with_hypertension,
    bevacizumab_with_vte_or_fistula,
)
from hooks.statements.bevacizumab import BEVACIZUMAB_HYPERTENSION
from tests.facts import SELECT, SIGN, TODAY, VIEW, medication_order


def order(
    drug: Drug = Drug.BEVACIZUMAB,
    status: str = "draft",
    under_review: bool = True,
    ref: str = "MedicationRequest/d1",
    end: date | None = None,
) -> MedicationOrder:
    return medication_order(drug, ref=ref, status=status, under_review=under_review, start=TODAY, end=end)


def bp(systolic: float | None, diastolic: float | None) -> BloodPressure:
    return BloodPressure("Observation/bp-1", systolic, diastolic, TODAY - timedelta(days=3))


def picture(*orders: MedicationOrder, pressure: BloodPressure | None = None, **kw: object) -> ClinicalPicture:
    return ClinicalPicture(medication_orders=orders, blood_pressure=pressure, **kw)  # type: ignore[arg-type]


def test_thresholds_are_the_catalog_hypertension_range() -> None:
    assert (BEVACIZUMAB_HYPERTENSION["systolic"], BEVACIZUMAB_HYPERTENSION["diastolic"]) == (140, 90)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "fires"),
    [
        (140, 80, True),
        (139, 89, False),
        (120, 90, True),
        (139.9, 89.9, False),
        (165, None, True),
        (None, 95, True),
        (None, 85, False),
        (None, None, False),
    ],
)
def test_bevacizumab_order_warns_at_140_systolic_or_90_diastolic(
    systolic: float | None, diastolic: float | None, fires: bool
) -> None:
    found = bevacizumab_with_hypertension.evaluate(
        picture(order(), pressure=bp(systolic, diastolic)),
        SELECT,
    )
    assert (found is not None) is fires
    if found is not None:
        assert found.indicator is Indicator.WARNING


def test_hypertension_card_shows_reading_date_and_threshold_source() -> None:
    found = bevacizumab_with_hypertension.evaluate(picture(order(), pressure=bp(152, 94)), SIGN)
    assert found is not None
    assert "152/94 mm Hg on 2026-02-27" in found.summary
    assert "- Latest blood pressure: 152/94 mm Hg on 2026-02-27, in the hypertension range" in found.detail
    assert "- **Bevacizumab order** under review, intended start 2026-03-02." in found.detail
    assert "Observation/" not in found.detail and "MedicationRequest/" not in found.detail
    assert "grade 2: 25% vs 1.8%). (Toxicity management)" in found.detail
    assert "systolic ≥ 140 mm Hg or diastolic ≥ 90 mm Hg" in found.detail
    assert "source gives no blood-pressure threshold" in found.detail
    assert len(found.summary) < 140


def test_no_blood_pressure_on_record_gives_no_card() -> None:
    assert bevacizumab_with_hypertension.evaluate(picture(order()), SELECT) is None


def test_other_drug_or_unselected_bevacizumab_gives_no_card() -> None:
    high = bp(170, 100)
    assert (
        bevacizumab_with_hypertension.evaluate(picture(order(Drug.CARBOPLATIN), pressure=high), SELECT)
        is None
    )
    assert (
        bevacizumab_with_hypertension.evaluate(picture(order(under_review=False), pressure=high), SELECT)
        is None
    )


def test_patient_view_needs_bevacizumab_now() -> None:
    assert bevacizumab_with_hypertension.evaluate(picture(pressure=bp(170, 100)), VIEW) is None


def test_patient_view_active_course_with_high_pressure_warns() -> None:
    course = order(status="active", under_review=False, ref="MedicationRequest/c1")
    found = bevacizumab_with_hypertension.evaluate(picture(course, pressure=bp(150, 85)), VIEW)
    assert found is not None
    assert found.indicator is Indicator.WARNING
    assert "on bevacizumab" in found.summary
    assert "- On bevacizumab: order active since 2026-03-02." in found.detail


def test_patient_view_course_that_ended_or_a_draft_is_not_on_bevacizumab() -> None:
    ended = order(status="active", under_review=False, end=TODAY - timedelta(days=1))
    draft = order(under_review=False)
    stopped = order(status="stopped", under_review=False)
    for o in (ended, draft, stopped):
        assert bevacizumab_with_hypertension.evaluate(picture(o, pressure=bp(150, 95)), VIEW) is None


@pytest.mark.parametrize(("days_ago", "fires"), [(0, True), (CYCLE.days - 1, True), (21, False)])
def test_patient_view_dose_given_within_the_3_week_cycle_counts(days_ago: int, fires: bool) -> None:
    given = Administration("MedicationAdministration/a1", Drug.BEVACIZUMAB, TODAY - timedelta(days=days_ago))
    found = bevacizumab_with_hypertension.evaluate(
        picture(pressure=bp(150, 95), administrations=(given,)),
        VIEW,
    )
    assert (found is not None) is fires
    if found is not None:
        assert f"- Last bevacizumab dose given {TODAY - timedelta(days=days_ago)}." in found.detail


def vte(ref: str = "Condition/pe-1") -> ComorbidCondition:
    return ComorbidCondition(ref, Comorbidity.VTE, "Pulmonary embolism", date(2026, 1, 10))


def fistula(ref: str = "Condition/fistula-1") -> ComorbidCondition:
    return ComorbidCondition(ref, Comorbidity.FISTULA, "Rectovaginal fistula", None)


def test_bevacizumab_order_with_active_vte_warns_with_rate() -> None:
    found = bevacizumab_with_vte_or_fistula.evaluate(picture(order(), comorbidities=(vte(),)), SELECT)
    assert found is not None
    assert found.indicator is Indicator.WARNING
    assert found.summary == (
        "Bevacizumab ordered with active Pulmonary embolism (onset or recorded 2026-01-10): monitor and weigh "
        "the VTE risk"
    )
    assert "grade 3: 8.2% vs 1.8%" in found.detail
    assert "fistula formation" not in found.detail
    assert (
        "- Active venous thromboembolism: Pulmonary embolism, onset or recorded 2026-01-10." in found.detail
    )


def test_vte_and_fistula_are_both_named_in_one_card() -> None:
    found = bevacizumab_with_vte_or_fistula.evaluate(
        picture(order(), comorbidities=(vte(), fistula())),
        SIGN,
    )
    assert found is not None
    assert found.summary == (
        "Bevacizumab ordered with active Pulmonary embolism and Rectovaginal fistula: monitor and weigh the VTE "
        "and fistula risks"
    )
    assert "grade 2: 8.6% vs 1%" in found.detail
    assert "- Active fistula: Rectovaginal fistula, no date on record." in found.detail
    assert len(found.summary) < 140


def test_no_vte_or_fistula_on_record_gives_no_card() -> None:
    assert bevacizumab_with_vte_or_fistula.evaluate(picture(order()), SELECT) is None


def test_vte_without_a_bevacizumab_order_under_review_gives_no_card() -> None:
    other = picture(order(Drug.PACLITAXEL), comorbidities=(vte(),))
    context_only = picture(order(under_review=False), comorbidities=(vte(),))
    assert bevacizumab_with_vte_or_fistula.evaluate(other, SELECT) is None
    assert bevacizumab_with_vte_or_fistula.evaluate(context_only, SELECT) is None


def test_vte_card_says_what_the_source_says_of_a_pre_existing_condition_and_no_more() -> None:
    """CERVICAL-OMENTAL lists VTE and fistula as adverse events to monitor, with incidences; it says nothing of
    a patient who already has one. The card: monitor and weigh the risk; never a contraindication or an
    instruction to withhold."""
    found = bevacizumab_with_vte_or_fistula.evaluate(picture(order(), comorbidities=(fistula(),)), SELECT)
    assert found is not None and found.indicator is Indicator.WARNING
    assert found.summary.endswith("monitor and weigh the fistula risk")
    assert found.detail.endswith(
        "Fistula formation is a bevacizumab-specific adverse event to monitor (grade 2: 8.6% vs 1%). (Toxicity "
        "management)\nThe source lists these among the bevacizumab-specific adverse events to monitor, with the "
        "incidences above, and says nothing specific of a patient who already has one: an active one on record "
        "is a reason to monitor it and weigh the risk before giving bevacizumab, not a contraindication the "
        "source states."
    )
    text = (found.summary + found.detail).lower()
    for overclaim in ("withhold", "contraindicated", "do not", "avoid", "must"):
        assert overclaim not in text

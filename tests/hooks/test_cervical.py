"""Cervical-cancer pathway rules as pure functions: recurrence, ECOG, platinum history, progression, sites."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cds_service.engine.types import HookContext, Indicator
from fhir_mappings.facts import (
    Administration,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    ImagingExam,
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
    follow_up_imaging,
    imaging_due,
    isolated_omental_resection,
    second_line_therapy,
)
from hooks.statements.cervical import FOLLOW_UP_IMAGING, PERFORMANCE_STATUS
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
    imaging: tuple[ImagingExam, ...] = (),
) -> ClinicalPicture:
    return with_primaries(
        *((primary,) if primary else ()),
        metastases=mets,
        scores=(score,) if score else (),
        medication_orders=orders,
        administrations=administrations,
        disease_status=status,
        imaging=imaging,
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
    assert "Other anticancer therapy on record: pembrolizumab on 2025-09-01." in found.detail


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
        assert (
            "- Metastatic sites on record: 1, peritoneum (omentum included); no metastasis elsewhere on record."
            in found.detail
        )
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


# Revision 2: therapy placed against the recurrence (CERV-FIRSTLINE)

RECURRED_2026 = CancerCondition(
    "Condition/cervix-recurrence",
    Cancer.CERVICAL,
    "Local recurrence of malignant tumor of cervix",
    True,
    recorded=date(2026, 1, 10),
)
"""A recurrence dated by its own record: 2026-01-10."""


def test_cisplatin_with_chemoradiation_years_before_the_recurrence_is_prior_platinum_not_first_line() -> None:
    found = first_line_therapy.evaluate(
        chart(
            primary=RECURRED_2026,
            score=ecog(1),
            administrations=(given(Drug.CISPLATIN, date(2021, 3, 1)),),
        ),
        VIEW,
    )
    assert found is not None and found.indicator is Indicator.INFO
    assert (
        found.summary == "Recurrent cervical cancer + PM, prior platinum (cisplatin on 2021-03-01), ECOG 1: "
        "carboplatin regimens non-inferior (HR 0.994)"
    )
    assert "(the recurrent primary's record is dated 2026-01-10)" in found.detail
    assert (
        "- Before the recurrence: cisplatin on 2021-03-01; its platinum is prior platinum exposure"
        in found.detail
    )
    guidance = found.detail.split("\n\n", 1)[1]
    assert guidance.startswith(
        "Guideline: After earlier platinum treatment, regimens built on carboplatin are non-inferior to cisplatin "
        "(hazard ratio 0.994)."
    )
    assert guidance.index("carboplatin-paclitaxel-bevacizumab") < guidance.index("preferably")
    assert "23.2" not in found.detail, "prior cisplatin: the cisplatin-naive figures do not apply"


FIRST_DIAGNOSED_2024 = CancerCondition(
    "Condition/cervix", Cancer.CERVICAL, "Cervical cancer", True, recorded=date(2024, 1, 22)
)
"""Recurrence said by clinicalStatus alone, on a problem-list entry dated at the first diagnosis."""


def omentum_on(on: date) -> Metastasis:
    return Metastasis("Condition/omentum", MetastaticSite.OMENTUM, "peritoneum", "Omental metastasis", on)


def test_status_only_recurrence_places_chemoradiation_cisplatin_before_the_omental_metastasis() -> None:
    """Cisplatin with radiation a month after the 2024 diagnosis, omental metastasis recorded in 2026: the
    cisplatin is prior platinum exposure, so the first-line card shows and leads with carboplatin."""
    found = first_line_therapy.evaluate(
        chart(
            primary=FIRST_DIAGNOSED_2024,
            mets=(omentum_on(date(2026, 10, 14)),),
            administrations=(given(Drug.CISPLATIN, date(2024, 2, 19)),),
        ),
        VIEW,
    )
    assert found is not None and "prior platinum (cisplatin on 2024-02-19)" in found.summary
    assert (
        "the recurrent primary's record is dated 2024-01-22; platinum is placed against the first "
        "peritoneal/omental metastasis, recorded 2026-10-14" in found.detail
    )


def test_status_only_recurrence_keeps_paclitaxel_before_the_metastasis_as_first_line_therapy() -> None:
    """Paclitaxel after the record's day but before the omental metastasis was recorded may be first-line
    therapy for the recurrence: it is never read as earlier therapy, so no first-line card."""
    found = first_line_therapy.evaluate(
        chart(
            primary=FIRST_DIAGNOSED_2024,
            mets=(omentum_on(date(2026, 10, 14)),),
            administrations=(given(Drug.PACLITAXEL, date(2025, 9, 1)),),
        ),
        VIEW,
    )
    assert found is None


@pytest.mark.parametrize(
    ("metastasis_on", "card"),
    [(date(2024, 2, 19), False), (date(2024, 2, 20), True)],
    ids=["metastasis-same-day-as-cisplatin", "metastasis-day-after-cisplatin"],
)
def test_cisplatin_is_prior_platinum_only_when_dated_before_the_metastasis(
    metastasis_on: date, card: bool
) -> None:
    found = first_line_therapy.evaluate(
        chart(
            primary=FIRST_DIAGNOSED_2024,
            mets=(omentum_on(metastasis_on),),
            administrations=(given(Drug.CISPLATIN, date(2024, 2, 19)),),
        ),
        VIEW,
    )
    assert (found is not None) is card


def test_a_coded_local_recurrence_places_platinum_by_its_own_record_not_by_a_later_metastasis() -> None:
    """Local recurrence coded on 2025-03-01, cisplatin for it in 2025, omental metastasis in 2026: the
    cisplatin was therapy for the recurrent disease, so no first-line card."""
    local = CancerCondition(
        "Condition/cervix-recurrence",
        Cancer.CERVICAL,
        "Local recurrence of malignant tumor of cervix",
        True,
        recorded=date(2025, 3, 1),
        recurrence_coded=True,
    )
    found = first_line_therapy.evaluate(
        chart(
            primary=local,
            mets=(omentum_on(date(2026, 10, 14)),),
            administrations=(given(Drug.CISPLATIN, date(2025, 4, 1)),),
        ),
        VIEW,
    )
    assert found is None


def test_prior_carboplatin_only_adds_the_cisplatin_naive_figures_after_the_pretreated_one() -> None:
    found = first_line_therapy.evaluate(
        chart(primary=RECURRED_2026, administrations=(given(Drug.CARBOPLATIN, date(2022, 5, 4)),)),
        VIEW,
    )
    assert found is not None
    guidance = found.detail.split("\n\n", 1)[1]
    assert guidance.index("hazard ratio 0.994") < guidance.index("23.2 months vs 13.0 months")
    assert "carboplatin on 2022-05-04" in found.summary


def test_without_prior_platinum_the_card_leads_with_the_cisplatin_regimen_and_its_superiority() -> None:
    found = first_line_therapy.evaluate(chart(primary=RECURRED_2026, score=ecog(0)), VIEW)
    assert found is not None
    assert found.summary == (
        "Recurrent cervical cancer + PM, no first-line therapy (ECOG 0): paclitaxel-cisplatin-bevacizumab preferred"
    )
    guidance = found.detail.split("\n\n", 1)[1]
    assert guidance.startswith("Guideline: In recurrent cervical cancer with omental metastases")
    assert guidance.index("preferably") < guidance.index("23.2 months vs 13.0 months")
    assert "hazard ratio" not in guidance, "no prior platinum: the non-inferiority statement does not apply"
    assert "- Platinum before the recurrence: none on record." in found.detail


@pytest.mark.parametrize(
    ("on", "fires"),
    [(date(2026, 1, 9), True), (date(2026, 1, 10), False), (date(2026, 1, 11), False), (None, False)],
)
def test_cisplatin_counts_as_prior_only_when_dated_before_the_recurrence_day(
    on: date | None, fires: bool
) -> None:
    """Given the day before the recurrence: prior platinum (card). The same day, later, or undated: therapy for
    the recurrent disease (no card)."""
    cisplatin = medication_order(
        Drug.CISPLATIN,
        ref="MedicationRequest/cis",
        status="completed",
        under_review=False,
        start=on,
        authored=None,
    )
    found = first_line_therapy.evaluate(chart(primary=RECURRED_2026, orders=(cisplatin,)), VIEW)
    assert (found is not None) is fires


def test_an_order_without_a_start_is_dated_by_when_it_was_written() -> None:
    cisplatin = medication_order(
        Drug.CISPLATIN, status="completed", under_review=False, start=None, authored=date(2021, 3, 1)
    )
    assert first_line_therapy.evaluate(chart(primary=RECURRED_2026, orders=(cisplatin,)), VIEW) is not None


def test_an_undated_recurrence_reads_every_first_line_drug_as_therapy_for_it() -> None:
    """RECURRENT has no recorded date: nothing can be shown to precede it."""
    assert (
        first_line_therapy.evaluate(chart(administrations=(given(Drug.CISPLATIN, date(2015, 1, 1)),)), VIEW)
        is None
    )


def test_first_line_summaries_stay_under_140() -> None:
    for score in (None, ecog(0), ecog(3)):
        found = first_line_therapy.evaluate(
            chart(
                primary=RECURRED_2026,
                score=score,
                administrations=(
                    given(Drug.CISPLATIN, date(2021, 3, 1)),
                    given(Drug.CARBOPLATIN, date(2021, 4, 1), ref="MedicationAdministration/a2"),
                    given(Drug.OXALIPLATIN, date(2020, 4, 1), ref="MedicationAdministration/a3"),
                ),
            ),
            VIEW,
        )
        assert found is not None and len(found.summary) < 140, found.summary if found else None


# CERV-FOLLOWUP

PACLITAXEL_ACTIVE = medication_order(
    Drug.PACLITAXEL,
    ref="MedicationRequest/pac",
    status="active",
    under_review=False,
    start=date(2026, 1, 20),
    authored=None,
)


def ct(on: date) -> ImagingExam:
    return ImagingExam("ImagingStudy/ct-1", "CT chest, abdomen and pelvis with contrast", on)


def test_follow_up_interval_is_two_to_three_calendar_months() -> None:
    assert (FOLLOW_UP_IMAGING["shortest_interval"], FOLLOW_UP_IMAGING["longest_interval"]) == (2, 3)
    assert imaging_due(date(2025, 12, 2)) == date(2026, 3, 2)
    assert imaging_due(date(2025, 11, 30)) == date(2026, 2, 28)


def test_on_therapy_with_no_ct_on_record_gets_the_follow_up_card() -> None:
    found = follow_up_imaging.evaluate(chart(primary=RECURRED_2026, orders=(PACLITAXEL_ACTIVE,)), VIEW)
    assert found is not None and found.indicator is Indicator.INFO
    assert found.summary == (
        "Recurrent cervical cancer + PM on paclitaxel: no CT chest/abdomen/pelvis on record; CT every 2-3 months "
        "to assess response"
    )
    assert "- Systemic therapy for the recurrent disease: paclitaxel (current order, from 2026-01-20)." in (
        found.detail
    )
    assert "- CT of the chest, abdomen and pelvis: none on record." in found.detail
    for text in (
        "every 3 months during the first 2 years",
        "every 2 months to 3 months, to assess how the disease responds",
        "toxicities are checked at each visit",
        "(Monitoring and follow-up)",
    ):
        assert text in found.detail, text
    assert "MedicationRequest/" not in found.detail and not re.search(r"\bl\.\s?\d", found.detail)


@pytest.mark.parametrize(
    ("ct_on", "fires"),
    [
        (date(2026, 1, 2), False),  # two months ago
        (date(2025, 12, 2), False),  # exactly three calendar months ago: still within the interval
        (date(2025, 12, 1), True),  # three months and a day: overdue
    ],
)
def test_follow_up_card_from_the_day_after_three_calendar_months(ct_on: date, fires: bool) -> None:
    found = follow_up_imaging.evaluate(
        chart(primary=RECURRED_2026, orders=(PACLITAXEL_ACTIVE,), imaging=(ct(ct_on),)), VIEW
    )
    assert (found is not None) is fires
    if found is not None:
        assert f"last CT chest/abdomen/pelvis {ct_on.isoformat()}" in found.summary
        assert "the interval ended on 2026-03-01" in found.detail
        assert len(found.summary) < 140


def test_a_ct_dated_after_today_is_not_read_as_done() -> None:
    later = ct(date(2026, 3, 20))
    found = follow_up_imaging.evaluate(
        chart(primary=RECURRED_2026, orders=(PACLITAXEL_ACTIVE,), imaging=(later,)), VIEW
    )
    assert found is not None and "no CT chest/abdomen/pelvis on record" in found.summary


def test_follow_up_boundary_is_read_on_the_hook_day() -> None:
    found = follow_up_imaging.evaluate(
        chart(primary=RECURRED_2026, orders=(PACLITAXEL_ACTIVE,), imaging=(ct(date(2025, 12, 2)),)),
        HookContext("patient-view", date(2026, 3, 3)),
    )
    assert found is not None


@pytest.mark.parametrize("status", ["completed", "stopped", "cancelled"])
def test_not_on_therapy_gets_no_follow_up_card(status: str) -> None:
    ended = medication_order(
        Drug.PACLITAXEL, status=status, under_review=False, start=date(2026, 1, 20), authored=None
    )
    assert follow_up_imaging.evaluate(chart(primary=RECURRED_2026, orders=(ended,)), VIEW) is None
    assert follow_up_imaging.evaluate(chart(primary=RECURRED_2026), VIEW) is None


def test_an_on_hold_course_is_still_therapy_the_patient_is_on() -> None:
    held = medication_order(
        Drug.PACLITAXEL, status="on-hold", under_review=False, start=date(2026, 1, 20), authored=None
    )
    assert follow_up_imaging.evaluate(chart(primary=RECURRED_2026, orders=(held,)), VIEW) is not None


def test_a_draft_of_this_call_is_not_therapy_on_record() -> None:
    draft = medication_order(Drug.PACLITAXEL, start=TODAY)
    assert follow_up_imaging.evaluate(chart(primary=RECURRED_2026, orders=(draft,)), VIEW) is None


@pytest.mark.parametrize(("on", "fires"), [(date(2025, 12, 2), True), (date(2025, 12, 1), False)])
def test_a_dose_given_within_three_months_reads_as_on_therapy(on: date, fires: bool) -> None:
    recurred_2025 = CancerCondition(
        "Condition/cervix", Cancer.CERVICAL, "Malignant tumor of cervix", True, recorded=date(2025, 6, 1)
    )
    found = follow_up_imaging.evaluate(
        chart(primary=recurred_2025, administrations=(given(Drug.TOPOTECAN, on),)), VIEW
    )
    assert (found is not None) is fires
    if found is not None:
        assert f"topotecan (last given on {on.isoformat()})" in found.detail


def test_therapy_dated_before_the_recurrence_is_not_therapy_for_it() -> None:
    before = medication_order(
        Drug.PACLITAXEL, status="active", under_review=False, start=date(2025, 12, 1), authored=None
    )
    assert follow_up_imaging.evaluate(chart(primary=RECURRED_2026, orders=(before,)), VIEW) is None


def test_follow_up_needs_recurrent_cervical_cancer_with_pm() -> None:
    orders = (PACLITAXEL_ACTIVE,)
    assert follow_up_imaging.evaluate(chart(primary=NOT_RECURRENT, orders=orders), VIEW) is None
    assert (
        follow_up_imaging.evaluate(chart(primary=RECURRED_2026, mets=(LIVER,), orders=orders), VIEW) is None
    )
    assert follow_up_imaging.evaluate(chart(primary=OVARIAN, orders=orders), VIEW) is None


def test_omental_and_liver_sites_are_counted_and_rule_out_resection() -> None:
    found = isolated_omental_resection.evaluate(
        chart(mets=(OMENTUM, Metastasis("Condition/l", MetastaticSite.LIVER, "liver", "Liver metastasis"))),
        VIEW,
    )
    assert found is None

"""Observation → one fact: scores and their ranges, AFP and whether it is normalised, blood pressure readings,
disease status, gene results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.facts import (
    BloodPressure,
    Gene,
    GeneResult,
    MarkerResult,
    Measure,
    Measurement,
    RiskFeature,
    RiskFinding,
    Scale,
    Score,
    StatusReport,
    Trend,
)
from fhir_mappings.observations import (
    BloodPressurePart,
    latest,
    latest_blood_pressure,
    observation_fact,
)
from fhir_mappings.systems import HGNC, V3_INTERPRETATION
from fhir_mappings.terminology import BUILT_IN
from tests.facts import extracted
from tests.scenario_builder import concept, observation, quantity

TZ = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
ECOG = concept("loinc", "89247-1", "ECOG Performance Status score")
PCI = concept("pm", "peritoneal-cancer-index", "Peritoneal cancer index")
CCR = concept("pm", "completeness-of-cytoreduction", "CCR score")
AFP = concept("loinc", "1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma")
BP_PANEL = concept("loinc", "85354-9", "Blood pressure panel")
SYSTOLIC = concept("loinc", "8480-6", "Systolic blood pressure")
DIASTOLIC = concept("loinc", "8462-4", "Diastolic blood pressure")
STATUS = concept("loinc", "97509-4", "Cancer disease progression")
VARIANT = concept("loinc", "69548-6", "Genetic variant assessment")
GENE_STUDIED = concept("loinc", "48018-6", "Gene studied [ID]")
PROTEIN_CHANGE = concept("loinc", "48005-3", "Amino acid change (pHGVS)")
PRESENT = concept("loinc", "LA9633-4", "Present")
ABSENT = concept("loinc", "LA9634-2", "Absent")


def fact(resource: dict[str, Any], tz: ZoneInfo = TZ) -> Any:
    """What the picture reads of one Observation: none for a code no rule asks about, else its fact."""
    role = BUILT_IN.observations.in_concept(resource.get("code"))
    return None if role is None else observation_fact(resource, role, BUILT_IN, tz)


def interpretation(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": V3_INTERPRETATION, "code": code}]}]


def afp(value: float, unit: str = "ng/mL", **fields: Any) -> dict[str, Any]:
    return observation(
        "afp", AFP, "2026-02-01", valueQuantity={**quantity(value, unit), **fields.pop("q", {})}, **fields
    )


def high(value: float, unit: str = "ng/mL") -> list[dict[str, Any]]:
    return [{"high": quantity(value, unit)}]


# Scores


def test_ecog_from_value_integer() -> None:
    assert fact(observation("e", ECOG, "2026-02-20", valueInteger=1)) == Score(
        Scale.ECOG, 1, date(2026, 2, 20), "Observation/e"
    )


def test_ecog_from_an_integral_quantity() -> None:
    assert fact(observation("e", ECOG, "2026-02-20", valueQuantity={"value": 2.0})).value == 2
    assert fact(observation("e", ECOG, "2026-02-20", valueQuantity={"value": 1.5})) is None


def test_ecog_from_a_loinc_answer_in_the_value() -> None:
    found = fact(observation("e", ECOG, "2026-02-20", valueCodeableConcept=concept("loinc", "LA9623-5", "1")))
    assert found.value == 1


def test_ecog_from_a_loinc_answer_in_the_interpretation() -> None:
    found = fact(
        observation("e", ECOG, "2026-02-20", interpretation=[concept("loinc", "LA9624-3", "ECOG 2")])
    )
    assert found.value == 2


def test_ecog_answer_code_in_another_system_is_not_read() -> None:
    assert (
        fact(observation("e", ECOG, "2026-02-20", valueCodeableConcept=concept("sct", "LA9623-5", "1")))
        is None
    )


def test_boolean_is_not_a_score() -> None:
    assert fact(observation("e", ECOG, "2026-02-20", valueInteger=True)) is None


@pytest.mark.parametrize(("code", "value"), [(ECOG, 0), (ECOG, 5), (PCI, 0), (PCI, 39), (CCR, 3)])
def test_scores_at_the_ends_of_their_range_are_read(code: dict[str, Any], value: int) -> None:
    assert fact(observation("s", code, "2026-02-20", valueInteger=value)).value == value


@pytest.mark.parametrize(("code", "value"), [(ECOG, 6), (ECOG, -1), (PCI, 40), (CCR, 4)])
def test_scores_outside_their_range_are_errors(code: dict[str, Any], value: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        fact(observation("s", code, "2026-02-20", valueInteger=value))


def test_pci_40_is_refused_and_counted_as_a_skipped_resource() -> None:
    facts = extracted(
        observation("pci-bad", PCI, "2026-02-20", valueInteger=40),
        observation("pci-old", PCI, "2026-01-10", valueInteger=12),
    )
    assert facts.skipped_resources == 1
    assert facts.score(Scale.PCI) == Score(Scale.PCI, 12, date(2026, 1, 10), "Observation/pci-old")


def test_latest_score_per_scale_wins_and_undated_loses() -> None:
    facts = extracted(
        observation("e1", ECOG, "2026-01-10", valueInteger=0),
        observation("e2", ECOG, "2026-02-20", valueInteger=2),
        {**observation("e3", ECOG, "2026-02-20", valueInteger=1), "effectiveDateTime": None},
    )
    ecog = facts.score(Scale.ECOG)
    assert ecog is not None and ecog.ref == "Observation/e2"


def test_latest_breaks_a_date_tie_by_the_higher_reference() -> None:
    a = Score(Scale.ECOG, 1, date(2026, 2, 1), "Observation/a")
    b = Score(Scale.ECOG, 2, date(2026, 2, 1), "Observation/b")
    assert latest([b, a], lambda s: s.scale)[Scale.ECOG] is b


def test_observation_not_final_is_ignored() -> None:
    for status in ("registered", "cancelled", "entered-in-error"):
        assert fact({**observation("e", ECOG, "2026-02-20", valueInteger=1), "status": status}) is None
    assert fact({**observation("e", ECOG, "2026-02-20", valueInteger=1), "status": "amended"}) is not None


def test_effective_date_falls_back_to_period_end_then_issued() -> None:
    base = {k: v for k, v in observation("e", ECOG, "", valueInteger=1).items() if k != "effectiveDateTime"}
    period = fact({**base, "effectivePeriod": {"start": "2026-02-01", "end": "2026-02-03"}})
    assert period.on == date(2026, 2, 3)
    assert fact({**base, "issued": "2026-02-05T10:00:00Z"}).on == date(2026, 2, 5)


# AFP


def test_afp_interpreted_normal_is_normalised() -> None:
    assert fact(afp(12.0, interpretation=interpretation("N"))).normalised is True


def test_afp_interpreted_high_is_not_normalised() -> None:
    assert fact(afp(5.0, interpretation=interpretation("H"))).normalised is False


def test_afp_interpretation_wins_over_the_reference_range() -> None:
    assert fact(afp(50.0, referenceRange=high(10.0), interpretation=interpretation("N"))).normalised is True


def test_afp_interpretation_in_another_system_is_not_read() -> None:
    other = [{"coding": [{"system": "http://example.org/flags", "code": "N"}]}]
    assert fact(afp(5.0, interpretation=other)).normalised is None


def test_afp_against_the_upper_limit_in_the_same_unit() -> None:
    assert fact(afp(8.0, referenceRange=high(8.0))).normalised is True
    assert fact(afp(8.1, referenceRange=high(8.0))).normalised is False


def test_afp_against_an_upper_limit_in_another_unit_is_unknown() -> None:
    assert fact(afp(8.0, referenceRange=high(6.6, "[IU]/mL"))).normalised is None


def test_afp_without_range_or_interpretation_is_unknown() -> None:
    result = fact(afp(8.0))
    assert result == MarkerResult("Observation/afp", "8.0 ng/mL", date(2026, 2, 1), None)


def test_afp_below_a_less_than_value_within_the_limit_is_normalised() -> None:
    result = fact(afp(2.0, referenceRange=high(8.0), q={"comparator": "<"}))
    assert result.normalised is True
    assert result.text == "<2.0 ng/mL"


def test_afp_less_than_a_value_above_the_limit_is_unknown() -> None:
    assert fact(afp(20.0, referenceRange=high(8.0), q={"comparator": "<"})).normalised is None


def test_afp_greater_than_a_value_above_the_limit_is_raised() -> None:
    assert fact(afp(400.0, referenceRange=high(8.0), q={"comparator": ">"})).normalised is False


def test_afp_greater_than_a_value_within_the_limit_is_unknown() -> None:
    assert fact(afp(5.0, referenceRange=high(8.0), q={"comparator": ">"})).normalised is None


def test_latest_afp_is_kept() -> None:
    facts = extracted(
        afp(300.0, interpretation=interpretation("H")),
        {**afp(6.0, interpretation=interpretation("N")), "id": "afp-2", "effectiveDateTime": "2026-02-25"},
    )
    assert facts.afp is not None and (facts.afp.ref, facts.afp.normalised) == ("Observation/afp-2", True)


# Blood pressure


def panel(
    rid: str, effective: str, systolic: float, diastolic: float, unit: str = "mm[Hg]"
) -> dict[str, Any]:
    return observation(
        rid,
        BP_PANEL,
        effective,
        category="vital-signs",
        component=[
            {"code": SYSTOLIC, "valueQuantity": quantity(systolic, unit)},
            {"code": DIASTOLIC, "valueQuantity": quantity(diastolic, unit)},
        ],
    )


def single(
    rid: str, code: dict[str, Any], effective: str, value: float, unit: str = "mm[Hg]"
) -> dict[str, Any]:
    return observation(rid, code, effective, category="vital-signs", valueQuantity=quantity(value, unit))


def test_blood_pressure_panel_is_read() -> None:
    facts = extracted(panel("bp", "2026-02-28T10:00:00Z", 152, 94))
    assert facts.blood_pressure == BloodPressure("Observation/bp", 152.0, 94.0, date(2026, 2, 28))


def test_single_systolic_and_diastolic_at_the_same_instant_are_one_reading() -> None:
    facts = extracted(
        single("sys", SYSTOLIC, "2026-02-28T11:00:00+01:00", 145),
        single("dia", DIASTOLIC, "2026-02-28T10:00:00Z", 88),
    )
    assert facts.blood_pressure == BloodPressure("Observation/dia", 145.0, 88.0, date(2026, 2, 28))


def test_the_latest_reading_wins_even_when_it_is_partial() -> None:
    facts = extracted(
        panel("bp", "2026-02-27T10:00:00Z", 152, 94), single("sys", SYSTOLIC, "2026-02-28T08:00:00Z", 128)
    )
    assert facts.blood_pressure == BloodPressure("Observation/sys", 128.0, None, date(2026, 2, 28))


def test_blood_pressure_in_kpa_is_not_read() -> None:
    assert fact(panel("bp", "2026-02-28T10:00:00Z", 20, 12, unit="kPa")) is None
    assert fact(single("sys", SYSTOLIC, "2026-02-28T10:00:00Z", 20, unit="kPa")) is None
    facts = extracted(
        panel("old", "2026-02-20T10:00:00Z", 130, 80), panel("kpa", "2026-02-28T10:00:00Z", 20, 12, "kPa")
    )
    assert facts.blood_pressure is not None and facts.blood_pressure.ref == "Observation/old"


def test_blood_pressure_without_a_time_is_not_read() -> None:
    undated = {k: v for k, v in panel("bp", "", 150, 95).items() if k != "effectiveDateTime"}
    assert fact(undated) is None


def test_date_only_reading_is_local_midnight() -> None:
    part = fact(single("sys", SYSTOLIC, "2026-02-28", 150), tz=PARIS)
    assert isinstance(part, BloodPressurePart)
    assert part.at == datetime(2026, 2, 28, tzinfo=PARIS)


def test_latest_blood_pressure_of_nothing_is_none() -> None:
    assert latest_blood_pressure([]) is None
    assert extracted().blood_pressure is None


def test_readings_are_ordered_by_instant_across_offsets() -> None:
    early = BloodPressurePart(
        "Observation/a", 150, 95, date(2026, 2, 28), datetime(2026, 2, 28, 12, tzinfo=PARIS)
    )
    later = BloodPressurePart(
        "Observation/b", 120, 70, date(2026, 2, 28), datetime(2026, 2, 28, 11, 30, tzinfo=UTC)
    )
    assert latest_blood_pressure([later, early]) == BloodPressure("Observation/b", 120, 70, date(2026, 2, 28))


# Disease status, genes, risk features


def test_disease_status_progression() -> None:
    found = fact(
        observation("st", STATUS, "2026-02-15", valueCodeableConcept=concept("sct", "271299001", "worsened"))
    )
    assert found == StatusReport("Observation/st", Trend.PROGRESSION, date(2026, 2, 15))
    assert fact(observation("st", STATUS, "2026-02-15", valueCodeableConcept={"text": "worse"})) is None


def variant(value: dict[str, Any] | None = None, change: str | None = "p.Leu858Arg") -> dict[str, Any]:
    components: list[dict[str, Any]] = [
        {
            "code": GENE_STUDIED,
            "valueCodeableConcept": {"coding": [{"system": HGNC, "code": "HGNC:3236", "display": "EGFR"}]},
        }
    ]
    if change:
        components.append({"code": PROTEIN_CHANGE, "valueCodeableConcept": {"text": change}})
    extra: dict[str, Any] = {"valueCodeableConcept": value} if value else {}
    return observation("v", VARIANT, "2026-01-30", component=components, **extra)


def test_egfr_variant_with_a_protein_change_is_mutated() -> None:
    assert fact(variant()) == GeneResult("Observation/v", Gene.EGFR, True, "p.Leu858Arg", date(2026, 1, 30))


def test_variant_present_is_mutated() -> None:
    assert fact(variant(PRESENT, change=None)).mutated is True


def test_variant_absent_is_not_mutated() -> None:
    assert fact(variant(ABSENT, change=None)).mutated is False
    assert fact(variant(ABSENT)).mutated is False


def test_variant_that_says_nothing_is_unknown() -> None:
    assert fact(variant(change=None)).mutated is None


def test_variant_without_a_known_gene_is_not_a_result() -> None:
    unknown_gene = variant()
    unknown_gene["component"][0]["valueCodeableConcept"] = {"coding": [{"system": HGNC, "code": "HGNC:1100"}]}
    assert fact(unknown_gene) is None


def test_kras_test_code_with_present_value() -> None:
    kras = observation(
        "k",
        concept("loinc", "21702-6", "KRAS gene mutations found"),
        "2026-01-30",
        valueCodeableConcept=PRESENT,
    )
    assert fact(kras) == GeneResult("Observation/k", Gene.KRAS, True, "Present", date(2026, 1, 30))


def test_risk_feature_observation_false_is_not_a_finding() -> None:
    t4 = concept("pm", "t4-primary-tumor", "Primary tumour T4")
    assert fact(observation("t4", t4, "2026-01-05", valueBoolean=True)) == RiskFinding(
        "Observation/t4", RiskFeature.T4, "Primary tumour T4"
    )
    assert fact(observation("t4", t4, "2026-01-05", valueBoolean=False)) is None


def test_unknown_observation_code_gives_no_fact() -> None:
    assert (
        fact(
            observation(
                "x", concept("loinc", "2345-7", "Glucose"), "2026-01-05", valueQuantity=quantity(5, "mmol/L")
            )
        )
        is None
    )


# Body measurements

WEIGHT = concept("loinc", "29463-7", "Body weight")
CREATININE = concept("loinc", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma")


def test_the_latest_measurement_of_each_measure_is_read_in_canonical_units() -> None:
    facts = extracted(
        observation("w-old", WEIGHT, "2026-01-10", valueQuantity=quantity(70, "kg")),
        observation("w-new", WEIGHT, "2026-02-20T08:00:00Z", valueQuantity=quantity(150, "[lb_av]")),
        observation("cr-1", CREATININE, "2026-02-19", valueQuantity=quantity(88.42, "umol/L")),
        observation("cr-2", CREATININE, "2026-02-19", valueQuantity=quantity(1.4, "mg/dL")),
        observation("cr-undated", CREATININE, "", valueQuantity=quantity(9.9, "mg/dL")),
        {
            **observation("cr-prelim", CREATININE, "2026-03-01", valueQuantity=quantity(2.0, "mg/dL")),
            "status": "registered",
        },
    )
    assert facts.latest == (
        Measurement(Measure.WEIGHT, 150 * 0.45359237, "150 [lb_av]", date(2026, 2, 20), "Observation/w-new"),
        Measurement(Measure.SERUM_CREATININE, 1.4, "1.4 mg/dL", date(2026, 2, 19), "Observation/cr-2"),
    )


def test_a_measurement_whose_period_cannot_be_read_is_skipped_and_the_one_before_wins() -> None:
    base = {k: v for k, v in observation("w-bad", WEIGHT, "").items() if k != "effectiveDateTime"}
    facts = extracted(
        {**base, "effectivePeriod": ["2026-03-01"], "valueQuantity": quantity(90, "kg")},
        observation("w-ok", WEIGHT, "2026-01-10", valueQuantity=quantity(70, "kg")),
        {
            **base,
            "id": "w-unknown-unit",
            "issued": "2025-12-01T10:00:00Z",
            "valueQuantity": quantity(1, "stone"),
        },
    )
    assert facts.skipped_resources == 1
    assert facts.latest == (
        Measurement(Measure.WEIGHT, 70.0, "70 kg", date(2026, 1, 10), "Observation/w-ok"),
    )


def test_a_latest_measurement_whose_value_cannot_be_read_costs_its_fact_and_the_one_before_wins() -> None:
    # An integer beyond float range (Python's json, as the FHIR client parses fetched bundles, reads any size):
    # values are read for the latest measurement only, after extraction, and still under the guard.
    facts = extracted(
        observation("w-huge", WEIGHT, "2026-03-01", valueQuantity=quantity(10**400, "kg")),
        observation("w-ok", WEIGHT, "2026-01-10", valueQuantity=quantity(70, "kg")),
    )
    assert facts.skipped_resources == 1
    assert facts.latest == (
        Measurement(Measure.WEIGHT, 70.0, "70 kg", date(2026, 1, 10), "Observation/w-ok"),
    )

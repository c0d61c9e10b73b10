"""Charts coded as EHRs code them: SNOMED-only problem lists (Synthea, SNOMED-native systems), Epic-style
conditions with ICD-10-CM and SNOMED CT together, personal-history codes, metastases at other sites in either
system, labs under several LOINC codes and units, TNM staging observations, and drugs by any product code."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from fhir_mappings.facts import Cancer, Drug, Measure, MetastaticSite, RiskFeature
from tests.facts import extracted
from tests.scenario_builder import concept, condition, medication_request, observation, quantity

NDC = "http://hl7.org/fhir/sid/ndc"
PM = condition("pm", "sct", "94627008", "Metastasis to peritoneum")


def epic(rid: str, icd: str, sct: str, text: str, **kwargs: Any) -> dict[str, Any]:
    """An Epic-style problem: ICD-10-CM and SNOMED CT codings with text on one Condition."""
    resource = condition(rid, "icd", icd, text, **kwargs)
    resource["code"]["coding"].append({"system": "http://snomed.info/sct", "code": sct, "display": text})
    return resource


@pytest.mark.parametrize(
    ("code", "display", "cancer"),
    [
        ("94006002", "Primary malignant neoplasm of sigmoid colon", Cancer.COLORECTAL),
        ("722685004", "Primary high grade serous adenocarcinoma of ovary", Cancer.OVARIAN),
        ("254886006", "Squamous cell carcinoma of cervix", Cancer.CERVICAL),
        ("254632001", "Small cell carcinoma of lung", Cancer.LUNG),
        ("254637007", "Non-small cell lung cancer", Cancer.LUNG),
        ("109841003", "Liver cell carcinoma", Cancer.HCC),
        ("408643008", "Infiltrating duct carcinoma of breast", Cancer.BREAST),
    ],
)
def test_a_snomed_only_problem_list_names_the_primary(code: str, display: str, cancer: Cancer) -> None:
    picture = extracted(condition("primary", "sct", code, display), PM)
    assert picture.primary_cancers == frozenset({cancer})


def test_an_epic_problem_with_both_code_systems_is_one_primary() -> None:
    picture = extracted(epic("crc", "C18.7", "94006002", "Sigmoid colon cancer"), PM)
    assert [(c.ref, c.cancer) for c in picture.cancer_conditions] == [("Condition/crc", Cancer.COLORECTAL)]


@pytest.mark.parametrize(
    ("code", "cancer"),
    [
        ("Z85.038", Cancer.COLORECTAL),
        ("Z85.43", Cancer.OVARIAN),
        ("Z85.118", Cancer.LUNG),
        ("Z85.3", Cancer.BREAST),
    ],
)
def test_a_personal_history_code_gives_the_primary_type(code: str, cancer: Cancer) -> None:
    picture = extracted(condition("hx", "icd", code, "Personal history of malignant neoplasm"), PM)
    assert picture.primary_cancers == frozenset({cancer})
    assert not picture.cancer_conditions[0].active


def test_history_of_non_melanoma_skin_cancer_explains_no_peritoneal_disease() -> None:
    picture = extracted(
        condition("hx", "icd", "Z85.828", "Personal history of other malignant neoplasm of skin"), PM
    )
    assert picture.primary_cancers == frozenset()


def test_an_active_primary_outranks_a_resolved_one() -> None:
    picture = extracted(
        condition("breast", "icd", "C50.911", "Breast cancer", clinical_status="resolved"),
        condition("colon", "sct", "94006002", "Sigmoid colon cancer"),
        PM,
    )
    assert picture.primary_cancers == frozenset({Cancer.COLORECTAL})


def test_an_active_primary_outranks_a_history_code() -> None:
    picture = extracted(
        condition("hx", "icd", "Z85.3", "Personal history of malignant neoplasm of breast"),
        condition("ovary", "icd", "C56.9", "Ovarian cancer"),
        PM,
    )
    assert picture.primary_cancers == frozenset({Cancer.OVARIAN})


def test_with_no_active_primary_the_resolved_ones_still_explain_the_disease() -> None:
    picture = extracted(
        condition("breast", "icd", "C50.911", "Breast cancer", clinical_status="remission"), PM
    )
    assert picture.primary_cancers == frozenset({Cancer.BREAST})


def test_refuted_and_entered_in_error_history_is_ignored() -> None:
    hx = condition("hx", "icd", "Z85.038", "History of colon cancer")
    hx["verificationStatus"]["coding"][0]["code"] = "entered-in-error"
    assert extracted(hx, PM).primary_cancers == frozenset()


@pytest.mark.parametrize(
    ("code", "site"),
    [
        ("94222008", MetastaticSite.BONE),
        ("94381002", MetastaticSite.LIVER),
        ("94391008", MetastaticSite.LUNG),
        ("94225005", MetastaticSite.BRAIN),
    ],
)
def test_snomed_metastases_at_other_sites_are_classified(code: str, site: MetastaticSite) -> None:
    picture = extracted(condition("met", "sct", code, "Secondary malignant neoplasm"), PM)
    assert [m.site for m in picture.metastases] == [site, MetastaticSite.PERITONEUM]
    assert picture.metastatic_site_count == 2


def test_snomed_bone_liver_and_lung_metastases_make_four_sites_with_the_peritoneum() -> None:
    picture = extracted(
        condition("bone", "sct", "94222008", "Bone metastasis"),
        condition("liver", "sct", "94381002", "Liver metastasis"),
        condition("lung", "sct", "94391008", "Lung metastasis"),
        PM,
    )
    assert picture.metastatic_site_count == 4


def test_one_organ_coded_in_icd_on_one_problem_and_snomed_on_another_is_one_site() -> None:
    picture = extracted(
        condition("liver-icd", "icd", "C78.7", "Liver metastasis"),
        condition("liver-sct", "sct", "94381002", "Liver metastasis"),
        condition("om", "sct", "94626004", "Omental metastasis"),
        PM,
    )
    assert picture.metastatic_site_count == 2


def test_other_sites_without_a_named_organ_are_still_told_apart_by_code() -> None:
    picture = extracted(
        condition("colon", "icd", "C78.5", "Secondary of large intestine"),
        condition("skin", "icd", "C79.2", "Secondary of skin"),
        PM,
    )
    assert picture.metastatic_site_count == 3


@pytest.mark.parametrize(
    ("code", "value", "unit", "mg_dl"),
    [
        ("2160-0", 1.0, "mg/dL", 1.0),
        ("14682-9", 88.42, "umol/L", 1.0),
        ("77140-2", 176.84, "umol/L", 2.0),
    ],
)
def test_serum_creatinine_is_read_under_each_loinc_code_and_unit(
    code: str, value: float, unit: str, mg_dl: float
) -> None:
    obs = observation(
        "cr", concept("loinc", code, "Creatinine"), "2026-02-20", valueQuantity=quantity(value, unit)
    )
    measured = extracted(obs).measurement(Measure.SERUM_CREATININE)
    assert measured is not None and measured.value == pytest.approx(mg_dl)


def test_a_lying_height_and_a_measured_weight_are_body_measurements() -> None:
    picture = extracted(
        observation(
            "h",
            concept("loinc", "8306-3", "Body height --lying"),
            "2026-02-20",
            valueQuantity=quantity(170, "cm"),
        ),
        observation(
            "w",
            concept("loinc", "3141-9", "Body weight Measured"),
            "2026-02-20",
            valueQuantity=quantity(70, "kg"),
        ),
    )
    height, weight = picture.measurement(Measure.HEIGHT), picture.measurement(Measure.WEIGHT)
    assert height is not None and height.value == 170
    assert weight is not None and weight.value == 70


def tnm_t(rid: str, code: str, value: str, display: str) -> dict[str, Any]:
    return observation(
        rid,
        concept("loinc", code, "Primary tumor"),
        "2026-01-10",
        valueCodeableConcept=concept("sct", value, display),
    )


def test_a_tnm_t4_category_observation_is_a_t4_tumour() -> None:
    picture = extracted(tnm_t("t", "21905-5", "261660001", "Tumor stage T4b"))
    assert [(f.ref, f.feature) for f in picture.risk_features] == [("Observation/t", RiskFeature.T4)]


def test_a_tnm_t3_category_observation_is_no_risk_feature() -> None:
    assert extracted(tnm_t("t", "21899-0", "14410001", "T3 category (finding)")).risk_features == ()


@pytest.mark.parametrize(
    ("system", "code", "display"),
    [
        ("rxnorm", "402091", "gefitinib 250 MG Oral Tablet [Iressa]"),
        ("rxnorm", "349472", "gefitinib 250 MG Oral Tablet"),
        ("rxnorm", "328134", "gefitinib"),
    ],
)
def test_gefitinib_is_matched_by_ingredient_whatever_product_is_ordered(
    system: str, code: str, display: str
) -> None:
    order = medication_request("g", system, code, display, status="active", start="2026-01-01")
    assert [o.drug for o in extracted(order).medication_orders] == [Drug.GEFITINIB]


def test_a_medication_coded_only_by_ndc_matches_its_ingredient() -> None:
    order = medication_request(
        "b", NDC, "50242006001", "Avastin 100 MG in 4 ML", status="active", start="2026-01-01"
    )
    assert [o.drug for o in extracted(order).medication_orders] == [Drug.BEVACIZUMAB]


def test_a_contained_medication_coded_by_ingredient_names_the_drug() -> None:
    order = medication_request(
        "c", "http://hospital.example.org/formulary", "CARBO-450", "Carboplatin", status="active"
    )
    del order["medicationCodeableConcept"]
    order["contained"] = [
        {
            "resourceType": "Medication",
            "id": "med",
            "code": {"text": "Carboplatin 450 mg"},
            "ingredient": [{"itemCodeableConcept": concept("rxnorm", "40048", "carboplatin")}],
        }
    ]
    order["medicationReference"] = {"reference": "#med"}
    assert [o.drug for o in extracted(order).medication_orders] == [Drug.CARBOPLATIN]


@pytest.mark.parametrize(
    ("system", "route"),
    [
        ("http://snomed.info/sct", "418401004"),
        ("http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IVITINJ"),
    ],
)
def test_intravitreal_bevacizumab_is_not_systemic_therapy(system: str, route: str) -> None:
    order = medication_request("eye", "rxnorm", "253337", "bevacizumab", status="active", start="2026-03-01")
    order["dosageInstruction"][0]["route"] = {"coding": [{"system": system, "code": route}]}
    assert extracted(order).medication_orders == ()


def test_bevacizumab_with_no_route_or_an_intravenous_route_is_systemic() -> None:
    plain = medication_request("iv", "rxnorm", "253337", "bevacizumab", status="active", start="2026-03-01")
    iv = medication_request("iv2", "rxnorm", "253337", "bevacizumab", status="active", start="2026-03-01")
    iv["dosageInstruction"][0]["route"] = {
        "coding": [{"system": "http://snomed.info/sct", "code": "47625008"}]
    }
    assert [o.ref for o in extracted(plain, iv).medication_orders] == [
        "MedicationRequest/iv",
        "MedicationRequest/iv2",
    ]


def test_a_condition_with_no_code_is_skipped_and_logged_by_its_id(caplog: pytest.LogCaptureFixture) -> None:
    uncoded = condition("blank", "sct", "94006002", "Sigmoid colon cancer")
    uncoded["code"] = {"text": "colon ca"}
    with caplog.at_level(logging.INFO, logger="fhir_mappings.conditions"):
        picture = extracted(uncoded, PM)
    assert picture.primary_cancers == frozenset()
    assert "Condition/blank" in caplog.text


def test_a_malformed_or_unknown_coding_costs_that_coding_only() -> None:
    primary = condition("crc", "sct", "94006002", "Sigmoid colon cancer")
    primary["code"]["coding"] = [
        {"system": "urn:oid:9.9.9", "code": "X1"},
        {"system": 42, "code": ["not", "a", "code"]},
        "not a coding",
        *primary["code"]["coding"],
    ]
    assert extracted(primary, PM).primary_cancers == frozenset({Cancer.COLORECTAL})

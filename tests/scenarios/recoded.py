"""Scenarios that take an existing scenario's chart and code it as another EHR would (SNOMED CT only, a
personal-history code, a lab's other LOINC code, a branded product or an NDC, a TNM staging observation), so
that the decision each checks is shown not to depend on the coding of our own fixtures.

`python -m tests.scenario_builder RULE-ID` (re)writes the folders of a rule (`--all`: of every rule) under
fixtures/scenarios/, `python -m tests.scenarios.recoded` all of these; the scenario test then writes their golden
cards with CDS_UPDATE_GOLDEN=1. Each states by hand the cards it expects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fhir_mappings.resources import bundle_resources
from tests.conftest import load_json
from tests.scenario_builder import (
    SCENARIO_ROOT,
    SYSTEMS,
    Json,
    concept,
    condition,
    hook_request,
    observation,
    quantity,
    write_scenario,
)

Coding = tuple[str, str, str]
"""(system key of scenario_builder.SYSTEMS or a URI, code, display)."""
NDC = "http://hl7.org/fhir/sid/ndc"
V3_ROUTE = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"


@dataclass(frozen=True)
class Recoded:
    rule: str
    name: str
    base: str
    """The scenario (rule/folder) whose chart and drafts are recoded."""
    description: str
    expect: tuple[tuple[str, str], ...]
    codings: dict[str, tuple[Coding, ...]] = field(default_factory=dict)
    """Resource id → the codings that replace its code (or medicationCodeableConcept)."""
    add: tuple[Json, ...] = ()
    drop: tuple[str, ...] = ()
    edit: Callable[[dict[str, Json]], None] | None = None
    """A change the codings cannot say (a route, a clinical status), on the resources by id."""

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        return build(self, root)


def _recode(resource: Json, codings: tuple[Coding, ...]) -> None:
    field_name = "medicationCodeableConcept" if "medicationCodeableConcept" in resource else "code"
    resource[field_name] = {
        "coding": [{"system": SYSTEMS.get(s, s), "code": c, "display": d} for s, c, d in codings],
        "text": codings[0][2],
    }


def build(spec: Recoded, root: Path = SCENARIO_ROOT) -> Path:
    """Write the recoded scenario under `root`; its base is always read from fixtures/scenarios."""
    folder = SCENARIO_ROOT / spec.base
    request, meta = load_json(folder / "request.json"), load_json(folder / "scenario.json")
    context = request["context"]
    chart = [
        r
        for value in request["prefetch"].values()
        if isinstance(value, dict)
        for r in ([value] if value.get("resourceType") == "Patient" else bundle_resources(value))
    ]
    drafts = bundle_resources(context["draftOrders"]) if "draftOrders" in context else []
    resources: list[Json] = [
        dict(copy.deepcopy(r)) for r in (*chart, *drafts) if r.get("id") not in spec.drop
    ]
    by_id = {r["id"]: r for r in resources if "id" in r}
    for rid, codings in spec.codings.items():
        _recode(by_id[rid], codings)
    if spec.edit is not None:
        spec.edit(by_id)
    draft_ids = {d.get("id") for d in drafts}
    recoded = hook_request(
        request["hook"],
        [*(r for r in resources if r.get("id") not in draft_ids), *spec.add],
        [r for r in resources if r.get("id") in draft_ids],
        selections=context.get("selections"),
        patient_id=context["patientId"],
    )
    return write_scenario(
        spec.rule,
        spec.name,
        spec.description,
        recoded,
        list(spec.expect),
        meta["now"],
        meta["timezone"],
        root=root,
    )


def _route(rid: str, system: str, code: str) -> Callable[[dict[str, Json]], None]:
    def edit(by_id: dict[str, Json]) -> None:
        by_id[rid]["dosageInstruction"][0]["route"] = {"coding": [{"system": system, "code": code}]}

    return edit


def _resolved_breast_and_active_colon(by_id: dict[str, Json]) -> None:
    by_id["breast-1"]["clinicalStatus"]["coding"][0]["code"] = "resolved"


PCI_12 = "HIPEC-CRC-PCI/in-patient-view-pci-12"
CRC_PM_CARDS = (("HIPEC-CRC-PCI", "info"), ("PM-GENERAL", "info"))
SIGMOID = ("sct", "94006002", "Primary malignant neoplasm of sigmoid colon")

SCENARIOS: tuple[Recoded, ...] = (
    Recoded(
        "PM-UNKNOWN-PRIMARY",
        "out-snomed-only-sigmoid-colon-primary",
        PCI_12,
        "A SNOMED-only problem list (sigmoid colon 94006002) names the primary: colorectal guidance, not "
        "'primary unknown'.",
        CRC_PM_CARDS,
        codings={"crc-1": (SIGMOID,)},
    ),
    Recoded(
        "HIPEC-CRC-PCI",
        "in-history-of-colon-cancer-z85",
        PCI_12,
        "ICD-10-CM Z85.038 (personal history of colon cancer) with C78.6: the primary is colorectal.",
        CRC_PM_CARDS,
        codings={
            "crc-1": (("icd", "Z85.038", "Personal history of other malignant neoplasm of large intestine"),)
        },
    ),
    Recoded(
        "HIPEC-CRC-PCI",
        "in-epic-problem-icd-and-snomed",
        "HIPEC-CRC-PCI/in-pci-24-warning",
        "An Epic-style problem (C18.7 and SNOMED 94006002 on one Condition) with PCI 24: the PCI ≥ 20 warning.",
        (("HIPEC-CRC-PCI", "warning"),),
        codings={"crc-1": (("icd", "C18.7", "Malignant neoplasm of sigmoid colon"), SIGMOID)},
    ),
    Recoded(
        "OV-DOUBLET",
        "in-snomed-high-grade-serous-ovary",
        "OV-DOUBLET/in-first-line-no-therapy-ecog-1",
        "High-grade serous ovarian carcinoma coded in SNOMED CT only (722685004): the ovarian doublet guidance.",
        (("OV-DOUBLET", "info"),),
        codings={"ovary-1": (("sct", "722685004", "Primary high grade serous adenocarcinoma of ovary"),)},
    ),
    Recoded(
        "OV-DOUBLET",
        "in-snomed-history-of-ovarian-cancer-with-pm-is-recurrence",
        "OV-DOUBLET/in-first-line-no-therapy-ecog-1",
        "Ovarian cancer on record only as history, in SNOMED CT (429090009), with PM now: a recurrence, so the card "
        "leads with bevacizumab for platinum-sensitive recurrence, not with initial treatment.",
        (("OV-DOUBLET", "info"),),
        codings={"ovary-1": (("sct", "429090009", "History of malignant neoplasm of ovary (situation)"),)},
    ),
    Recoded(
        "OV-DOUBLET",
        "in-epic-z85-43-history-with-pm-is-recurrence",
        "OV-DOUBLET/in-first-line-no-therapy-ecog-1",
        "Epic-style problem: personal history of ovarian cancer, ICD-10-CM Z85.43 with SNOMED CT 429090009, and PM "
        "now: read as recurrence (the review of issue #16).",
        (("OV-DOUBLET", "info"),),
        codings={
            "ovary-1": (
                ("icd", "Z85.43", "Personal history of malignant neoplasm of ovary"),
                ("sct", "429090009", "History of malignant neoplasm of ovary (situation)"),
            )
        },
    ),
    Recoded(
        "CERV-FIRSTLINE",
        "in-snomed-squamous-cell-carcinoma-of-cervix",
        "CERV-FIRSTLINE/in-recurrent-omental-ecog-1-no-therapy",
        "Recurrent squamous cell carcinoma of the cervix coded in SNOMED CT only (254886006): first-line guidance.",
        (("CERV-FIRSTLINE", "info"), ("CERV-OMENTAL-RESECTION", "info")),
        codings={"cervix-primary": (("sct", "254886006", "Squamous cell carcinoma of cervix"),)},
    ),
    Recoded(
        "HIPEC-LUNG",
        "in-snomed-small-cell-lung-cancer",
        "HIPEC-LUNG/in-patient-view",
        "Small cell lung cancer coded in SNOMED CT only (254632001): the lung pathway cards.",
        (("LUNG-MOLECULAR", "warning"), ("HIPEC-LUNG", "info"), ("LUNG-PALLIATION", "info")),
        codings={"lung-1": (("sct", "254632001", "Small cell carcinoma of lung"),)},
    ),
    Recoded(
        "BR-OLIGO",
        "out-snomed-bone-metastasis-is-a-second-site",
        "BR-OLIGO/in-breast-pm-only-site",
        "A bone metastasis coded in SNOMED CT (94222008) beside the peritoneal one: two sites, not oligometastatic.",
        (("PM-GENERAL", "info"),),
        add=(condition("bone-1", "sct", "94222008", "Secondary malignant neoplasm of bone"),),
    ),
    Recoded(
        "BR-OLIGO",
        "out-resolved-breast-cancer-beside-active-colon-cancer",
        "BR-OLIGO/in-breast-pm-only-site",
        "A breast cancer resolved years ago beside an active colon cancer: the colon cancer explains the "
        "peritoneal disease, so no breast card.",
        CRC_PM_CARDS,
        add=(condition("colon-1", "sct", "94006002", "Primary malignant neoplasm of sigmoid colon"),),
        edit=_resolved_breast_and_active_colon,
    ),
    Recoded(
        "CERV-OMENTAL-RESECTION",
        "out-snomed-liver-metastasis-too",
        "CERV-OMENTAL-RESECTION/in-isolated-omental-ecog-0-after-therapy",
        "A liver metastasis coded in SNOMED CT (94381002) beside the omental one: the omentum is not the single site, "
        "no resection card; PM-GENERAL shows.",
        (("PM-GENERAL", "info"),),
        add=(condition("liver-1", "sct", "94381002", "Secondary malignant neoplasm of liver"),),
    ),
    Recoded(
        "HIPEC-HCC",
        "in-snomed-lung-metastasis-is-named",
        "HIPEC-HCC/in-patient-view",
        "HCC with a lung metastasis coded in SNOMED CT (94391008): the CRS/HIPEC card names the distant disease.",
        (("HIPEC-HCC", "info"),),
        add=(condition("lung-met-1", "sct", "94391008", "Secondary malignant neoplasm of lung"),),
    ),
    Recoded(
        "DOSE-CARBO-CALVERT",
        "in-creatinine-in-micromoles-per-litre",
        "DOSE-CARBO-CALVERT/in-800-mg-above-calvert-474",
        "Serum creatinine recorded as LOINC 14682-9 in µmol/L (79.578 µmol/L = 0.9 mg/dL): the same Calvert dose.",
        (("DOSE-CARBO-CALVERT", "warning"), ("CERV-PLATINUM", "info")),
        drop=("creatinine",),
        add=(
            observation(
                "creatinine-si",
                concept("loinc", "14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
                "2026-02-20",
                valueQuantity=quantity(79.578, "umol/L"),
            ),
        ),
    ),
    Recoded(
        "HIPEC-PROPHYLACTIC",
        "in-t4-from-tnm-staging-observation",
        "HIPEC-PROPHYLACTIC/in-t4-oxaliplatin-hipec",
        "T4 recorded as a clinical TNM T category observation (LOINC 21905-5, value T4 65565005), not as a "
        "condition: prophylactic oxaliplatin HIPEC is still not recommended.",
        (("HIPEC-PROPHYLACTIC", "warning"),),
        drop=("t4-1",),
        add=(
            observation(
                "tnm-t-1",
                concept("loinc", "21905-5", "Primary tumor.clinical [Class] Cancer"),
                "2026-02-01",
                category="exam",
                valueCodeableConcept=concept("sct", "65565005", "T4 category"),
            ),
        ),
    ),
    Recoded(
        "LUNG-KRAS",
        "in-gefitinib-ordered-as-iressa",
        "LUNG-KRAS/in-gefitinib-with-kras-g12a",
        "Gefitinib ordered as the branded product (Iressa 250 MG Oral Tablet, RxNorm 402091): matched by ingredient.",
        (("LUNG-KRAS", "warning"),),
        codings={"gefitinib-1": (("rxnorm", "402091", "gefitinib 250 MG Oral Tablet [Iressa]"),)},
    ),
    Recoded(
        "BEV-SURG-BEFORE",
        "in-avastin-ordered-by-ndc",
        "BEV-SURG-BEFORE/boundary-27-days-is-flagged",
        "Bevacizumab ordered by its NDC only (Avastin 4 mL vial, 50242006001), 27 days before surgery: critical.",
        (("BEV-SURG-BEFORE", "critical"),),
        codings={"bev-draft-1": ((NDC, "50242006001", "4 ML bevacizumab 25 MG/ML Injection [Avastin]"),)},
    ),
    Recoded(
        "BEV-SURG-BEFORE",
        "out-intravitreal-bevacizumab",
        "BEV-SURG-BEFORE/boundary-27-days-is-flagged",
        "Bevacizumab given intravitreally (HL7 v3 route IVITINJ) 27 days before surgery: not the systemic course "
        "the hold speaks of, no card.",
        (),
        edit=_route("bev-draft-1", V3_ROUTE, "IVITINJ"),
    ),
    Recoded(
        "BEV-TOX-VTE-FISTULA",
        "in-synthea-acute-deep-venous-thrombosis",
        "BEV-TOX-VTE-FISTULA/in-active-pulmonary-embolism",
        "The venous thromboembolism coded as Synthea codes it (132281000119108 acute deep venous thrombosis).",
        (("BEV-TOX-VTE-FISTULA", "warning"),),
        codings={"pe-1": (("sct", "132281000119108", "Acute deep venous thrombosis"),)},
    ),
)


def main() -> None:
    for spec in SCENARIOS:
        print(spec.write().relative_to(SCENARIO_ROOT.parent.parent))


if __name__ == "__main__":
    main()

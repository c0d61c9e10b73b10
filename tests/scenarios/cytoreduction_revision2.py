"""Scenarios of revision 2 of the CRS/HIPEC candidacy rules (catalog §2, issue #16): every coded metastatic site
is counted and named, and "candidate" or "confined to the peritoneum" is said only when true of the chart.

HIPEC-CRC-PCI with metastases outside the peritoneum names them and says that distant disease is to be evaluated
before any treatment and that the evidence is for limited peritoneal disease (CRC-PM-REVIEW "Diagnosis of
peritoneal metastasis"; HCC-LUNG-PM "Why CRS/HIPEC is not standard"), a warning on order hooks and info on
patient-view; HIPEC-HCC and HIPEC-LUNG name the sites on record. The wording of HIPEC-CCR and HIPEC-OXALIPLATIN
is proved on their existing folders (goldens regenerated).

`python -m tests.scenario_builder HIPEC-CRC-PCI HIPEC-HCC HIPEC-LUNG` (re)writes these folders (with the other
described folders of those rules); the scenario test then writes their golden cards with CDS_UPDATE_GOLDEN=1
(name the folders: `-k "HIPEC-CRC-PCI/ or HIPEC-HCC/ or HIPEC-LUNG/"`). Each states by hand the card of its own
rule it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.scenario_builder import (
    SCENARIO_ROOT,
    Json,
    concept,
    condition,
    hook_request,
    observation,
    service_request,
    write_scenario,
)
from tests.scenarios.recoded import Recoded

COLON = condition("crc-1", "icd", "C18.7", "Malignant neoplasm of sigmoid colon", onset="2025-04-15")
PERITONEUM = condition("pm-1", "sct", "94627008", "Metastasis to peritoneum", onset="2025-09-01")
LUNG_METASTASES = condition(
    "lung-met-1", "sct", "94391008", "Secondary malignant neoplasm of lung", onset="2025-09-01"
)
LIVER_METASTASES = condition(
    "liver-met-1",
    "icd",
    "C78.7",
    "Secondary malignant neoplasm of liver and intrahepatic bile duct",
    onset="2025-09-01",
)
LYMPH_NODE_METASTASIS = condition(
    "node-met-1", "sct", "94392001", "Secondary malignant neoplasm of lymph node", onset="2025-09-01"
)
RESOLVED_LIVER_METASTASIS = condition(
    "liver-met-1",
    "icd",
    "C78.7",
    "Secondary malignant neoplasm of liver and intrahepatic bile duct",
    clinical_status="resolved",
    onset="2024-06-10",
)
NSCLC = condition("lung-1", "sct", "254637007", "Non-small cell lung cancer", onset="2025-11-04")
LUNG_PM = condition("pm-1", "sct", "94627008", "Metastasis to peritoneum", onset="2025-11-20")
BONE_METASTASIS = condition(
    "bone-met-1", "icd", "C79.51", "Secondary malignant neoplasm of bone", onset="2025-11-20"
)
BRAIN_METASTASIS = condition(
    "brain-met-1", "icd", "C79.31", "Secondary malignant neoplasm of brain", onset="2026-01-08"
)


def pci(value: int, on: str = "2026-02-05") -> Json:
    return observation(
        "pci-1",
        concept("pm", "peritoneal-cancer-index", "Peritoneal cancer index (PCI)"),
        on,
        category="exam",
        valueInteger=value,
    )


CRS_DRAFT = service_request(
    "crs-1", concept("pm", "cytoreductive-surgery", "Cytoreductive surgery (CRS)"), occurrence="2026-03-23"
)
HIPEC_DRAFT = service_request(
    "hipec-1",
    concept("pm", "hipec", "Hyperthermic intraperitoneal chemotherapy (HIPEC)"),
    occurrence="2026-03-23",
)


@dataclass(frozen=True)
class Chart:
    """A scenario on one hook: the chart, the drafts under review (order hooks), and the card of its own rule it
    expects."""

    rule: str
    name: str
    description: str
    hook: str
    chart: tuple[Json, ...]
    expect: tuple[tuple[str, str], ...]
    drafts: tuple[Json, ...] = ()

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        request = hook_request(self.hook, list(self.chart), list(self.drafts))
        return write_scenario(self.rule, self.name, self.description, request, list(self.expect), root=root)


SCENARIOS: tuple[Chart | Recoded, ...] = (
    Chart(
        "HIPEC-CRC-PCI",
        "in-pci-8-lung-and-liver-metastases-crs-ordered-is-a-warning",
        "Sigmoid colon cancer with PM, PCI 8, and lung (SNOMED 94391008) and liver (C78.7) metastases; CRS signed: "
        "a warning naming both sites, distant disease to evaluate before any treatment, never 'candidate'.",
        "order-sign",
        (COLON, PERITONEUM, LUNG_METASTASES, LIVER_METASTASES, pci(8)),
        (("HIPEC-CRC-PCI", "warning"),),
        drafts=(CRS_DRAFT,),
    ),
    Chart(
        "HIPEC-CRC-PCI",
        "in-patient-view-pci-8-lung-and-liver-metastases-is-info",
        "The same chart on patient-view (no CRS/HIPEC ordered): info naming the lung and liver metastases, "
        "distant disease to evaluate before any treatment, never 'candidate'.",
        "patient-view",
        (COLON, PERITONEUM, LUNG_METASTASES, LIVER_METASTASES, pci(8)),
        (("HIPEC-CRC-PCI", "info"),),
    ),
    Chart(
        "HIPEC-CRC-PCI",
        "boundary-pci-8-lymph-node-metastasis-only-is-disease-outside-the-peritoneum",
        "PCI 8 and one site outside the peritoneum, a lymph-node metastasis (SNOMED 94392001): enough for the "
        "distant-disease warning on a CRS order; the lymph nodes are named.",
        "order-sign",
        (COLON, PERITONEUM, LYMPH_NODE_METASTASIS, pci(8)),
        (("HIPEC-CRC-PCI", "warning"),),
        drafts=(CRS_DRAFT,),
    ),
    Chart(
        "HIPEC-CRC-PCI",
        "boundary-resolved-liver-metastasis-is-not-counted",
        "PCI 8 and a liver metastasis recorded as resolved: not an active site, so the peritoneum is the only "
        "site on record and the CRS order gets the candidate info card.",
        "order-sign",
        (COLON, PERITONEUM, RESOLVED_LIVER_METASTASIS, pci(8)),
        (("HIPEC-CRC-PCI", "info"),),
        drafts=(CRS_DRAFT,),
    ),
    Chart(
        "HIPEC-CRC-PCI",
        "missing-pci-with-liver-metastasis-is-a-warning",
        "No PCI on record and a liver metastasis (C78.7), HIPEC signed: a warning naming the liver, distant "
        "disease to evaluate before any treatment (and the PCI by exploration).",
        "order-sign",
        (COLON, PERITONEUM, LIVER_METASTASES),
        (("HIPEC-CRC-PCI", "warning"),),
        drafts=(HIPEC_DRAFT,),
    ),
    Chart(
        "HIPEC-CRC-PCI",
        "boundary-pci-24-with-liver-metastasis-stays-a-warning-on-patient-view",
        "PCI 24 and a liver metastasis on patient-view: the PCI ≥ 20 warning, naming the liver metastasis.",
        "patient-view",
        (COLON, PERITONEUM, LIVER_METASTASES, pci(24)),
        (("HIPEC-CRC-PCI", "warning"),),
    ),
    Recoded(
        "HIPEC-HCC",
        "boundary-profound-response-with-lung-metastasis-stays-a-warning",
        "HIPEC-HCC/in-profound-response-info",
        "The profound-response chart (sorafenib, AFP 6 ng/mL within its limit, response documented) with a lung "
        "metastasis (SNOMED 94391008) too: the disease is not confined to the peritoneum, so a warning naming the "
        "lung, not the MDT info card; the card never says the peritoneum is the only site.",
        (("HIPEC-HCC", "warning"),),
        add=(LUNG_METASTASES,),
    ),
    Chart(
        "HIPEC-LUNG",
        "in-patient-view-bone-metastasis-is-named",
        "NSCLC with PM and a bone metastasis (C79.51) on patient-view: info, CRS/HIPEC not standard, the bone "
        "named beside the peritoneum (2 sites).",
        "patient-view",
        (NSCLC, LUNG_PM, BONE_METASTASIS),
        (("HIPEC-LUNG", "info"),),
    ),
    Chart(
        "HIPEC-LUNG",
        "in-crs-ordered-with-bone-and-brain-metastases-names-both",
        "NSCLC with PM, bone (C79.51) and brain (C79.31) metastases, CRS signed: the warning names bone and brain "
        "(3 sites).",
        "order-sign",
        (NSCLC, LUNG_PM, BONE_METASTASIS, BRAIN_METASTASIS),
        (("HIPEC-LUNG", "warning"),),
        drafts=(CRS_DRAFT,),
    ),
)


def main() -> None:
    for spec in SCENARIOS:
        print(spec.write().relative_to(SCENARIO_ROOT.parent.parent))


if __name__ == "__main__":
    main()

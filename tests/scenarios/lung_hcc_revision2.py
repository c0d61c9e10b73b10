"""Scenarios of revision 2 of the lung and HCC rules (catalog §3, issue #16): LUNG-MOLECULAR ends once a driver
alteration is found and otherwise names the genes without a result; LUNG-PALLIATION counts and names every
metastatic site, says the source's median survival only of adenosquamous carcinoma with the peritoneum the only
metastatic site (HCC-LUNG-PM, "Clinical context and prognosis") and, with a driver found, that molecular results
guide the choice of systemic therapy; HCC-FIRSTLINE names the frontline options with no urgency beyond the
source's own ("do not delay systemic therapy in favour of surgical consultation").

`python -m tests.scenario_builder LUNG-MOLECULAR LUNG-PALLIATION HCC-FIRSTLINE` (re)writes these folders; the
scenario test then writes their golden cards with CDS_UPDATE_GOLDEN=1 (name the folders: `-k "LUNG-MOLECULAR/ or
LUNG-PALLIATION/ or HCC-FIRSTLINE/"`). Each states by hand the card of its own rule it expects, or forbids it.
"""

from __future__ import annotations

from tests.scenario_builder import (
    SCENARIO_ROOT,
    Json,
    PatientView,
    concept,
    condition,
    observation,
)

HGNC = "http://www.genenames.org"
HGVS = "http://varnomen.hgvs.org"
GENES = {
    "EGFR": (HGNC, "HGNC:3236", "EGFR"),
    "ALK": (HGNC, "HGNC:427", "ALK"),
    "ROS1": (HGNC, "HGNC:10261", "ROS1"),
    "KRAS": ("pm", "gene-kras", "KRAS gene"),
}
"""How the gene studied is coded: HGNC ids where the built-in value sets hold them; KRAS by the project's code,
which sites map theirs onto (no standard KRAS gene code is verified there)."""

NSCLC = condition("lung-1", "sct", "254637007", "Non-small cell lung cancer", onset="2025-11-04")
ADENOSQUAMOUS = condition(
    "lung-1", "sct", "707405009", "Primary adenosquamous carcinoma of lung", onset="2025-11-04"
)
PERITONEUM = condition("pm-1", "sct", "94627008", "Metastasis to peritoneum", onset="2025-11-20")
LIVER = condition(
    "liver-met-1",
    "icd",
    "C78.7",
    "Secondary malignant neoplasm of liver and intrahepatic bile duct",
    onset="2025-11-20",
)


def variant(gene: str, found: bool, hgvs: str | None = None, on: str = "2026-01-15", rid: str = "") -> Json:
    """A genetic variant assessment (LOINC 69548-6) of one gene: present or absent, with its amino-acid change."""
    component: list[Json] = [
        {
            "code": concept("loinc", "48018-6", "Gene studied [ID]"),
            "valueCodeableConcept": concept(*GENES[gene]),
        }
    ]
    if hgvs:
        component.append(
            {
                "code": concept("loinc", "48005-3", "Amino acid change (pHGVS)"),
                "valueCodeableConcept": concept(HGVS, hgvs, hgvs),
            }
        )
    value = ("LA9633-4", "Present") if found else ("LA9634-2", "Absent")
    return observation(
        rid or f"variant-{gene.lower()}",
        concept("loinc", "69548-6", "Genetic variant assessment"),
        on,
        valueCodeableConcept=concept("loinc", *value),
        component=component,
    )


MOLECULAR = (("LUNG-MOLECULAR", "warning"),)
PALLIATION = (("LUNG-PALLIATION", "info"),)

SCENARIOS: tuple[PatientView, ...] = (
    PatientView(
        "LUNG-MOLECULAR",
        "out-egfr-l858r-positive-ends-the-card",
        "NSCLC with PM, EGFR p.Leu858Arg present (2026-01-15), ALK, ROS1 and KRAS untested: a driver is found, its "
        "result guides therapy, no request for the other genes.",
        (NSCLC, PERITONEUM, variant("EGFR", True, "p.Leu858Arg")),
        (),
    ),
    PatientView(
        "LUNG-MOLECULAR",
        "out-kras-g12a-positive-others-untested",
        "NSCLC with PM, KRAS p.Gly12Ala present, EGFR, ALK and ROS1 untested: a driver is found, no card.",
        (NSCLC, PERITONEUM, variant("KRAS", True, "p.Gly12Ala")),
        (),
    ),
    PatientView(
        "LUNG-MOLECULAR",
        "in-nothing-tested-names-the-four-genes",
        "Lung cancer (ICD-10-CM C34.90) with peritoneal metastasis (C78.6), no molecular result: the card names "
        "EGFR, ALK, ROS1 and KRAS.",
        (
            condition(
                "lung-1",
                "icd",
                "C34.90",
                "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
            ),
            condition(
                "pm-1", "icd", "C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum"
            ),
        ),
        MOLECULAR,
    ),
    PatientView(
        "LUNG-MOLECULAR",
        "in-egfr-negative-only-names-alk-ros1-kras",
        "NSCLC with PM, EGFR tested without a variant, nothing else: no driver found, the card names ALK, ROS1 "
        "and KRAS.",
        (NSCLC, PERITONEUM, variant("EGFR", False)),
        MOLECULAR,
    ),
    PatientView(
        "LUNG-MOLECULAR",
        "boundary-later-egfr-negative-keeps-earlier-positive",
        "EGFR p.Leu858Arg present on 2025-06-01, then no variant on 2026-01-15: a later negative does not undo the "
        "variant found, so a driver is on record and no card.",
        (
            NSCLC,
            PERITONEUM,
            variant("EGFR", True, "p.Leu858Arg", on="2025-06-01", rid="variant-egfr-1"),
            variant("EGFR", False, on="2026-01-15", rid="variant-egfr-2"),
        ),
        (),
    ),
    PatientView(
        "LUNG-PALLIATION",
        "in-adenosquamous-peritoneum-sole-site-median-survival",
        "Adenosquamous lung carcinoma (SNOMED 707405009) with the peritoneum the only metastatic site: the "
        "source's median survival (under 2 months) is said, as it is that group's.",
        (ADENOSQUAMOUS, PERITONEUM),
        PALLIATION,
    ),
    PatientView(
        "LUNG-PALLIATION",
        "boundary-adenosquamous-with-liver-metastasis-no-survival-figure",
        "Adenosquamous lung carcinoma with peritoneal and liver metastases: two sites named, not the "
        "sole-site group, so no median survival figure.",
        (ADENOSQUAMOUS, PERITONEUM, LIVER),
        PALLIATION,
    ),
    PatientView(
        "LUNG-PALLIATION",
        "boundary-nsclc-peritoneum-sole-site-no-survival-figure",
        "NSCLC (not adenosquamous) with the peritoneum the only metastatic site: isolated involvement, but the "
        "adenosquamous median survival figure is not said as theirs.",
        (NSCLC, PERITONEUM),
        PALLIATION,
    ),
    PatientView(
        "LUNG-PALLIATION",
        "in-egfr-driver-molecular-results-guide-therapy",
        "NSCLC with PM and EGFR p.Leu858Arg present: the card names the driver and says molecular results "
        "guide the choice of systemic therapy.",
        (NSCLC, PERITONEUM, variant("EGFR", True, "p.Leu858Arg")),
        PALLIATION,
    ),
    PatientView(
        "HCC-FIRSTLINE",
        "in-no-afp-no-therapy-source-wording",
        "HCC (C22.0) with PM, no AFP and no systemic therapy on record: frontline atezolizumab/bevacizumab or "
        "sorafenib, and systemic therapy not delayed in favour of surgical consultation (no stronger urgency).",
        (
            condition("hcc-1", "icd", "C22.0", "Liver cell carcinoma", onset="2025-12-01"),
            condition("pm-1", "sct", "94627008", "Metastasis to peritoneum", onset="2026-01-10"),
        ),
        (("HCC-FIRSTLINE", "warning"),),
    ),
)


def main() -> None:
    for spec in SCENARIOS:
        print(spec.write().relative_to(SCENARIO_ROOT.parent.parent))


if __name__ == "__main__":
    main()

"""Conditions: primary cancers, peritoneal and other metastases, recurrence, and the comorbidities and tumour
features some rules weigh (venous thromboembolism, fistula, T4, perforation).

ICD-10-CM categories match every code below them (C18 holds C18.0–C18.9); the most specific code wins, so C18.1
(appendix) is appendiceal although C18 is colorectal.
"""

from __future__ import annotations

from fhir_mappings.facts import Cancer, Comorbidity, MetastaticSite, RiskFeature
from fhir_mappings.valuesets.generated import built
from fhir_mappings.valuesets.model import ValueSet

CANCERS: dict[Cancer, ValueSet] = {
    Cancer.COLORECTAL: built("colorectal-cancer"),
    Cancer.APPENDICEAL: built("appendiceal-cancer"),
    Cancer.OVARIAN: built("ovarian-cancer"),
    Cancer.HCC: built("hepatocellular-carcinoma"),
    Cancer.LUNG: built("lung-cancer"),
    Cancer.CERVICAL: built("cervical-cancer"),
    Cancer.BREAST: built("breast-cancer"),
    Cancer.OTHER: built("other-primary-cancer"),
}
"""Listed most specific first: the other-primary set holds ICD-10-CM C00-C75, so it comes last."""

CANCER_HISTORY: dict[Cancer, ValueSet] = {
    Cancer.COLORECTAL: built("colorectal-cancer-history"),
    Cancer.OVARIAN: built("ovarian-cancer-history"),
    Cancer.LUNG: built("lung-cancer-history"),
    Cancer.CERVICAL: built("cervical-cancer-history"),
    Cancer.BREAST: built("breast-cancer-history"),
    Cancer.OTHER: built("other-cancer-history"),
}
"""Personal history of a primary cancer (ICD-10-CM Z85, SNOMED CT situations): the cancer was treated, and its
type is known. No history code names hepatocellular carcinoma or the appendix alone (Z85.05 is any liver cancer),
so those histories count as other or colorectal."""

LOCAL_RECURRENCE = built("local-recurrence")

METASTASES: dict[MetastaticSite, ValueSet] = {
    MetastaticSite.OMENTUM: built("omental-metastasis"),
    MetastaticSite.PERITONEUM: built("peritoneal-metastasis"),
    MetastaticSite.LIVER: built("liver-metastasis"),
    MetastaticSite.LUNG: built("lung-metastasis"),
    MetastaticSite.PLEURA: built("pleural-metastasis"),
    MetastaticSite.BONE: built("bone-metastasis"),
    MetastaticSite.BRAIN: built("brain-metastasis"),
    MetastaticSite.LYMPH_NODES: built("lymph-node-metastasis"),
    MetastaticSite.ADRENAL: built("adrenal-metastasis"),
    MetastaticSite.OVARY: built("ovarian-metastasis"),
    MetastaticSite.OTHER: built("other-metastasis"),
}
"""Listed most specific first: the other-metastasis set holds ICD-10-CM C77-C79 and C7B whole."""
PERITONEUM_BODY_SITE = built("peritoneum-body-site")

COMORBIDITIES: dict[Comorbidity, ValueSet] = {
    Comorbidity.VTE: built("venous-thromboembolism"),
    Comorbidity.FISTULA: built("fistula"),
}

RISK_FEATURES: dict[RiskFeature, ValueSet] = {
    RiskFeature.T4: built("t4-primary-tumor"),
    RiskFeature.PERFORATION: built("tumor-perforation"),
}

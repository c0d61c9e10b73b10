"""Observations: body measurements, blood pressure, performance status, tumour markers, disease status,
molecular results and the peritoneal surgery scores (project codes: no LOINC exists for PCI or CCR)."""

from __future__ import annotations

from fhir_mappings.facts import Gene, Measure, Orderable, Scale, Trend
from fhir_mappings.valuesets.generated import built
from fhir_mappings.valuesets.model import ValueSet

MEASURES: dict[Measure, ValueSet] = {
    Measure.WEIGHT: built("body-weight"),
    Measure.HEIGHT: built("body-height"),
    Measure.SERUM_CREATININE: built("serum-creatinine"),
    Measure.CREATININE_CLEARANCE: built("creatinine-clearance"),
}

BLOOD_PRESSURE_PANEL = built("blood-pressure-panel")
SYSTOLIC_BP = built("systolic-blood-pressure")
DIASTOLIC_BP = built("diastolic-blood-pressure")

ECOG_ANSWERS: dict[str, int] = {
    "LA9622-7": 0,
    "LA9623-5": 1,
    "LA9624-3": 2,
    "LA9625-0": 3,
    "LA9626-8": 4,
    "LA9627-6": 5,
}
"""LOINC answer list LL529-9: answer code → ECOG grade (the codes themselves are in the set ecog-answers)."""
ECOG_ANSWER_CODES = built("ecog-answers")

SCALES: dict[Scale, ValueSet] = {
    Scale.ECOG: built("ecog-performance-status"),
    Scale.KARNOFSKY: built("karnofsky-performance-status"),
    Scale.PCI: built("peritoneal-cancer-index"),
    Scale.CCR: built("completeness-of-cytoreduction"),
}

AFP = built("alpha-fetoprotein")
DISEASE_STATUS = built("cancer-disease-status")
TRENDS: dict[Trend, ValueSet] = {
    Trend.PROGRESSION: built("disease-progression"),
    Trend.RESPONSE: built("disease-response"),
    Trend.STABLE: built("disease-stable"),
    Trend.UNDETERMINED: built("disease-undetermined"),
}

TNM_PRIMARY_TUMOR_CATEGORY = built("tnm-primary-tumor-category")
"""The T category of a TNM staging (its value in the set t4-category marks a T4 primary tumour)."""

VARIANT = built("genetic-variant-assessment")
GENE_STUDIED = built("gene-studied")
PROTEIN_CHANGE = built("protein-change")
VARIANT_PRESENT = built("variant-present")
VARIANT_ABSENT = built("variant-absent")
GENES: dict[Gene, ValueSet] = {
    Gene.EGFR: built("gene-egfr"),
    Gene.ALK: built("gene-alk"),
    Gene.ROS1: built("gene-ros1"),
    Gene.KRAS: built("gene-kras"),
}

ORDERABLES: dict[Orderable, ValueSet] = {
    Orderable.AFP_TEST: AFP,
    Orderable.LUNG_MOLECULAR_TESTING: built("lung-molecular-testing"),
}
"""What a create action puts in ServiceRequest.code: the first code of the set (and its display)."""

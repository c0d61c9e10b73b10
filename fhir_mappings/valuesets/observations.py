"""Observations: body measurements, blood pressure, performance status, tumour markers, disease status,
molecular results and the peritoneal surgery scores (project codes: no LOINC exists for PCI or CCR)."""

from __future__ import annotations

from fhir_mappings.facts import Gene, Measure, Orderable, Scale, Trend
from fhir_mappings.systems import HGNC, LOINC, SNOMED
from fhir_mappings.valuesets.local import local
from fhir_mappings.valuesets.model import Code, ValueSet

_TX_MCODE_LOINC = "TX HL7/fhir-mCODE-ig loinc.cache@00536d62e5"

WEIGHT = ValueSet(
    id="body-weight",
    title="Body weight",
    codes=(Code(LOINC, "29463-7", "Body weight", f"{_TX_MCODE_LOINC}; USCORE weight.json"),),
)
HEIGHT = ValueSet(
    id="body-height",
    title="Body height",
    codes=(Code(LOINC, "8302-2", "Body height", f"{_TX_MCODE_LOINC}; USCORE height.json"),),
)
SERUM_CREATININE = ValueSet(
    id="serum-creatinine",
    title="Creatinine in serum or plasma",
    codes=(
        Code(
            LOINC,
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
            "TX HL7/US-Core loinc.cache@784e62e872; USCORE observation-serum-creatinine.json",
        ),
        Code(
            LOINC,
            "14682-9",
            "Creatinine [Moles/volume] in Serum or Plasma",
            "TX nmdp-ig/cibmtr-reporting-ig loinc.cache@aec3ed8262 (LOINC 2.78)",
        ),
    ),
)
CREATININE_CLEARANCE = ValueSet(
    id="creatinine-clearance",
    title="Measured creatinine clearance",
    codes=(
        Code(
            LOINC,
            "2164-2",
            "Creatinine renal clearance in 24 hour Urine and Serum or Plasma",
            "TX nmdp-ig/cibmtr-reporting-ig loinc.cache@aec3ed8262",
        ),
    ),
)

MEASURES: dict[Measure, ValueSet] = {
    Measure.WEIGHT: WEIGHT,
    Measure.HEIGHT: HEIGHT,
    Measure.SERUM_CREATININE: SERUM_CREATININE,
    Measure.CREATININE_CLEARANCE: CREATININE_CLEARANCE,
}

_TX_US_CORE = "TX HL7/US-Core loinc.cache@784e62e872; USCORE blood-pressure.json"

BLOOD_PRESSURE_PANEL = ValueSet(
    id="blood-pressure-panel",
    title="Blood pressure panel",
    codes=(Code(LOINC, "85354-9", "Blood pressure panel with all children optional", _TX_US_CORE),),
)
SYSTOLIC_BP = ValueSet(
    id="systolic-blood-pressure",
    title="Systolic blood pressure",
    codes=(Code(LOINC, "8480-6", "Systolic blood pressure", _TX_US_CORE),),
)
DIASTOLIC_BP = ValueSet(
    id="diastolic-blood-pressure",
    title="Diastolic blood pressure",
    codes=(Code(LOINC, "8462-4", "Diastolic blood pressure", _TX_US_CORE),),
)

ECOG = ValueSet(
    id="ecog-performance-status",
    title="ECOG performance status",
    codes=(
        Code(
            LOINC,
            "89247-1",
            "ECOG Performance Status score",
            f"{_TX_MCODE_LOINC}; MCODE SD_PerformanceStatus.fsh:34",
        ),
        Code(
            LOINC,
            "89262-0",
            "ECOG Performance Status [Interpretation]",
            "TX HL7/fhir-mCODE-ig loinc.cache@d37317ce2c",
        ),
    ),
)
_ECOG_ANSWERS_CORROBORATED = (
    "CORROBORATED (non-authoritative): IDGRLP/Tumorkonferenzen-IG valueSets.fsh, the MII onco IG ECOG-LOINC VS "
    "and several apps agree"
)
ECOG_ANSWERS: dict[str, int] = {
    "LA9622-7": 0,
    "LA9623-5": 1,
    "LA9624-3": 2,
    "LA9625-0": 3,
    "LA9626-8": 4,
    "LA9627-6": 5,
}
"""LOINC answer list LL529-9: answer code → ECOG grade."""
ECOG_ANSWER_CODES = ValueSet(
    id="ecog-answers",
    title="ECOG performance status answers (LOINC LL529-9)",
    codes=(
        Code(
            LOINC,
            "LA9622-7",
            "Fully active, able to carry on all pre-disease performance without restriction",
            f"{_TX_MCODE_LOINC}; MCODE EX_Basic.fsh:199",
        ),
        *(
            Code(LOINC, answer, f"ECOG {grade}", _ECOG_ANSWERS_CORROBORATED)
            for answer, grade in ECOG_ANSWERS.items()
            if grade > 0
        ),
    ),
)
KARNOFSKY = ValueSet(
    id="karnofsky-performance-status",
    title="Karnofsky performance status",
    codes=(
        Code(
            LOINC,
            "89243-0",
            "Karnofsky Performance Status score",
            f"{_TX_MCODE_LOINC}; MCODE SD_PerformanceStatus.fsh:23",
        ),
    ),
)
PERITONEAL_CANCER_INDEX = ValueSet(
    id="peritoneal-cancer-index", title="Peritoneal cancer index", codes=(local("peritoneal-cancer-index"),)
)
COMPLETENESS_OF_CYTOREDUCTION = ValueSet(
    id="completeness-of-cytoreduction",
    title="Completeness of cytoreduction score",
    codes=(local("completeness-of-cytoreduction"),),
)
SCALES: dict[Scale, ValueSet] = {
    Scale.ECOG: ECOG,
    Scale.KARNOFSKY: KARNOFSKY,
    Scale.PCI: PERITONEAL_CANCER_INDEX,
    Scale.CCR: COMPLETENESS_OF_CYTOREDUCTION,
}

_TX_MCODE_MARKERS = "TX HL7/fhir-mCODE-ig loinc.cache@0f84ab5c0c"
AFP = ValueSet(
    id="alpha-fetoprotein",
    title="Alpha-fetoprotein in serum or plasma",
    codes=(
        Code(LOINC, "1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma", _TX_MCODE_MARKERS),
        Code(LOINC, "19176-7", "Alpha-1-Fetoprotein [Units/volume] in Serum or Plasma", _TX_MCODE_MARKERS),
    ),
)

DISEASE_STATUS = ValueSet(
    id="cancer-disease-status",
    title="Cancer disease status",
    codes=(
        Code(
            LOINC, "97509-4", "Cancer disease progression", f"{_TX_MCODE_LOINC}; MCODE SD_DiseaseStatus.fsh"
        ),
    ),
)
_MCODE_STATUS = "MCODE VS_Other.fsh:10-38"
TRENDS: dict[Trend, ValueSet] = {
    Trend.PROGRESSION: ValueSet(
        id="disease-progression",
        title="Disease status: worsened",
        codes=(Code(SNOMED, "271299001", "worsened", _MCODE_STATUS),),
    ),
    Trend.RESPONSE: ValueSet(
        id="disease-response",
        title="Disease status: improved or in remission",
        codes=(
            Code(SNOMED, "268910001", "improved", _MCODE_STATUS),
            Code(SNOMED, "550991000124107", "full remission", _MCODE_STATUS),
            Code(SNOMED, "551001000124108", "partial remission", _MCODE_STATUS),
        ),
    ),
    Trend.STABLE: ValueSet(
        id="disease-stable",
        title="Disease status: stable",
        codes=(Code(SNOMED, "359746009", "stable", _MCODE_STATUS),),
    ),
    Trend.UNDETERMINED: ValueSet(
        id="disease-undetermined",
        title="Disease status: undetermined",
        codes=(Code(SNOMED, "709137006", "undetermined", _MCODE_STATUS),),
    ),
}

_TX_MCODE_GX = "TX HL7/fhir-mCODE-ig loinc.cache@00536d62e5"
VARIANT = ValueSet(
    id="genetic-variant-assessment",
    title="Genetic variant assessment (genomics-reporting Variant)",
    codes=(Code(LOINC, "69548-6", "Genetic variant assessment", _TX_MCODE_GX),),
)
GENE_STUDIED = ValueSet(
    id="gene-studied",
    title="Gene studied component",
    codes=(Code(LOINC, "48018-6", "Gene studied [ID]", _TX_MCODE_GX),),
)
PROTEIN_CHANGE = ValueSet(
    id="protein-change",
    title="Amino acid change (pHGVS) component",
    codes=(Code(LOINC, "48005-3", "Amino acid change (pHGVS)", _TX_MCODE_GX),),
)
VARIANT_PRESENT = ValueSet(
    id="variant-present", title="Variant present", codes=(Code(LOINC, "LA9633-4", "Present", _TX_MCODE_GX),)
)
VARIANT_ABSENT = ValueSet(
    id="variant-absent",
    title="Variant absent or wild type",
    codes=(
        Code(LOINC, "LA9634-2", "Absent", "TX HL7/US-Core loinc.cache@d6cc0c4117"),
        Code(LOINC, "LA9658-1", "Wild type", "TX HL7/genomics-reporting loinc.cache@05bc7f2014"),
    ),
)
_GXR = "GXR somaticReportPDFexamples.fsh"
_KRAS_TESTS = "MCODE VS_Genomics.fsh:605-611"
GENES: dict[Gene, ValueSet] = {
    Gene.EGFR: ValueSet(
        id="gene-egfr", title="EGFR", codes=(Code(HGNC, "HGNC:3236", "EGFR", f"{_GXR}:268"),)
    ),
    Gene.ALK: ValueSet(
        id="gene-alk",
        title="ALK",
        codes=(Code(HGNC, "HGNC:427", "ALK", f"{_GXR}:833; MCODE EX_GenomeX.fsh:225"),),
    ),
    Gene.ROS1: ValueSet(
        id="gene-ros1", title="ROS1", codes=(Code(HGNC, "HGNC:10261", "ROS1", f"{_GXR}:301"),)
    ),
    Gene.KRAS: ValueSet(
        id="gene-kras",
        title="KRAS (gene studied, or a KRAS test code)",
        codes=(
            local("gene-kras"),
            Code(LOINC, "21702-6", "KRAS gene mutations found", _KRAS_TESTS),
            Code(LOINC, "21703-4", "KRAS gene mutations tested for", _KRAS_TESTS),
            Code(LOINC, "75974-6", "KRAS gene targeted mutation analysis", _KRAS_TESTS),
            Code(LOINC, "81420-2", "KRAS and NRAS gene mutations found", _KRAS_TESTS),
            Code(LOINC, "82535-6", "KRAS gene full mutation analysis by Sequencing", _KRAS_TESTS),
            Code(LOINC, "85509-8", "KRAS gene mutations in Colorectal cancer specimen", _KRAS_TESTS),
        ),
    ),
}

LUNG_MOLECULAR_TESTING = ValueSet(
    id="lung-molecular-testing",
    title="Order: molecular testing of EGFR, ALK, ROS1 and KRAS",
    codes=(local("lung-molecular-testing"),),
)
ORDERABLES: dict[Orderable, ValueSet] = {
    Orderable.AFP_TEST: AFP,
    Orderable.LUNG_MOLECULAR_TESTING: LUNG_MOLECULAR_TESTING,
}
"""What a create action puts in ServiceRequest.code: the first code of the set (and its display)."""

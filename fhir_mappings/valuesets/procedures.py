"""Procedures: surgery (planned and done) and the peritoneal interventions CRS, HIPEC and PIPAC.

HIPEC, PIPAC and peritonectomy have no verified standard code (shared/terminology.md §D): they are project codes,
onto which sites map their own order codes.
"""

from __future__ import annotations

from fhir_mappings.facts import InterventionKind
from fhir_mappings.systems import SNOMED
from fhir_mappings.valuesets.local import local
from fhir_mappings.valuesets.model import Code, ValueSet

_SURG_VS = "MEF-VS ValueSet-mcode-cancer-related-surgical-procedure-vs.json"

SURGICAL_PROCEDURE_CATEGORY = ValueSet(
    id="surgical-procedure-category",
    title="Category of a surgical procedure order",
    codes=(Code(SNOMED, "387713003", "Surgical procedure", "TX HL7/fhir-mCODE-ig snomed.cache@004029a5d9"),),
)

MAJOR_SURGERY = ValueSet(
    id="major-surgery",
    title="Major (abdominal) surgical procedures",
    codes=(
        Code(SNOMED, "86481000", "Laparotomy", f"{_SURG_VS}:33207"),
        Code(SNOMED, "74770008", "Exploratory laparotomy", f"{_SURG_VS}:28617"),
        Code(SNOMED, "708646008", "Laparotomy with biopsy of peritoneum", f"{_SURG_VS}:94852"),
        Code(SNOMED, "708647004", "Laparotomy with biopsy of omentum", f"{_SURG_VS}:94857"),
        Code(SNOMED, "18412003", "Laparotomy for staging of ovarian cancer", f"{_SURG_VS}:7207"),
        Code(SNOMED, "450635009", "Open biopsy of lesion of peritoneal cavity", f"{_SURG_VS}:91852"),
        Code(SNOMED, "78384007", "Omentectomy", f"{_SURG_VS}:30052"),
        Code(SNOMED, "708819001", "Laparoscopic omentectomy", f"{_SURG_VS}:94942"),
        Code(SNOMED, "713903002", "Total omentectomy", f"{_SURG_VS}:96237"),
        Code(SNOMED, "276974006", "Partial omentectomy", f"{_SURG_VS}:68852"),
        Code(SNOMED, "238301005", "Debulking of lesion of peritoneum", f"{_SURG_VS}:62602"),
        Code(SNOMED, "448031005", "Debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:89627"),
        Code(SNOMED, "708729004", "Extensive debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:94882"),
        Code(SNOMED, "446526009", "Debulking of neoplasm of ovary", f"{_SURG_VS}:88097"),
        Code(SNOMED, "386676003", "Operation on peritoneum", f"{_SURG_VS}:77372"),
        local("cytoreductive-surgery"),
    ),
)


CYTOREDUCTIVE_SURGERY = ValueSet(
    id="cytoreductive-surgery",
    title="Cytoreductive surgery for peritoneal metastasis (the closest SNOMED CT debulking concepts)",
    codes=(
        Code(SNOMED, "238301005", "Debulking of lesion of peritoneum", f"{_SURG_VS}:62602"),
        Code(SNOMED, "448031005", "Debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:89627"),
        Code(SNOMED, "708729004", "Extensive debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:94882"),
        local("cytoreductive-surgery"),
    ),
)
HIPEC = ValueSet(id="hipec", title="HIPEC, any drug", codes=(local("hipec"), local("hipec-oxaliplatin")))
OXALIPLATIN_HIPEC = ValueSet(
    id="hipec-oxaliplatin", title="Oxaliplatin-based HIPEC", codes=(local("hipec-oxaliplatin"),)
)
PIPAC = ValueSet(id="pipac", title="PIPAC", codes=(local("pipac"),))

INTERVENTIONS: dict[InterventionKind, ValueSet] = {
    InterventionKind.CRS: CYTOREDUCTIVE_SURGERY,
    InterventionKind.HIPEC: HIPEC,
    InterventionKind.PIPAC: PIPAC,
}

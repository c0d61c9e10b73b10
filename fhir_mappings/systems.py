"""Code system URIs (FHIR R4 canonical names; see shared/terminology.md §0)."""

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PM_CONCEPTS = "http://peritoneal-cds.org/CodeSystem/pm-concepts"
HGNC = "http://www.genenames.org"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

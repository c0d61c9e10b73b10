"""FHIR R4 resources → typed, frozen clinical facts. Knows FHIR; knows nothing of the web."""

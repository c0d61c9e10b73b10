"""Medicines, matched on ingredient: ingredient RxCUIs, the product RxCUIs EHRs send, and project codes.

A drug whose RxNorm codes no public source confirms carries only its project code; a site maps its own codes onto
it (CDS_SITE_CODES).
"""

from __future__ import annotations

from fhir_mappings.facts import Drug
from fhir_mappings.valuesets.generated import built
from fhir_mappings.valuesets.model import ValueSet

DRUGS: dict[Drug, ValueSet] = {drug: built(drug.value) for drug in Drug}

"""Codes of the project code system (pm-concepts), as value-set members."""

from __future__ import annotations

from fhir_mappings.pm_concepts import CONCEPTS_BY_CODE
from fhir_mappings.systems import PM_CONCEPTS
from fhir_mappings.valuesets.model import Code

LOCAL = "project code system pm-concepts: no standard code is verified; sites map theirs onto it"


def local(code: str) -> Code:
    """The pm-concepts code `code` (it must be defined there)."""
    return Code(PM_CONCEPTS, code, CONCEPTS_BY_CODE[code].display, LOCAL)

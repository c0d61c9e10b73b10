"""FHIR R4 terminology resources of the service, so that sites can see (and map onto) the codes it recognises.

`GET /fhir/CodeSystem/pm-concepts`: the project code system. `GET /fhir/ValueSet/{id}`: one value set, with the
codes the site added (CDS_SITE_CODES). `GET /fhir/ValueSet`: a searchset Bundle of them all (`url` and `_id`
narrow it). No client JWT (they hold no patient data, like /sources); `application/fhir+json`. Resources are
built from the value sets in force, without timestamps, so that the same deployment always answers the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from cds_service.errors import operation_outcome
from cds_service.pipeline import Runtime
from fhir_mappings.pm_concepts import CONCEPTS
from fhir_mappings.systems import ICD10CM, PM_CONCEPTS
from fhir_mappings.terminology import Terminology
from fhir_mappings.valuesets.model import ValueSet

router = APIRouter(prefix="/fhir", tags=["terminology"])

FHIR_JSON = "application/fhir+json"
PUBLISHER = "peritoneal-cds"
CODE_SYSTEM_ID = "pm-concepts"
VALUE_SET_BASE = "http://peritoneal-cds.org/ValueSet/"
SITE_MAPPING = "site mapping "
"""How `Code.verified_in` of a code added by the site's file begins."""


def package_version() -> str:
    try:
        return version("peritoneal-cds")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
        return "0.1.0"


def fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(resource), status_code=status, media_type=FHIR_JSON)


def not_found(message: str, field: str) -> Response:
    return fhir_response(operation_outcome(message, "not-found", [field]), 404)


def code_system() -> dict[str, Any]:
    """The pm-concepts CodeSystem (FHIR R4), complete."""
    return {
        "resourceType": "CodeSystem",
        "id": CODE_SYSTEM_ID,
        "url": PM_CONCEPTS,
        "version": package_version(),
        "name": "PeritonealCdsConcepts",
        "title": "Peritoneal metastasis CDS concepts",
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": "Concepts of the peritoneal-cds service that have no verified standard code (scores, "
        "peritoneal interventions, drugs by ingredient). EHRs send these codes, or map their local codes onto "
        "the service's value sets (CDS_SITE_CODES).",
        "caseSensitive": True,
        "content": "complete",
        "count": len(CONCEPTS),
        "concept": [{"code": c.code, "display": c.display, "definition": c.definition} for c in CONCEPTS],
    }


def _name(set_id: str) -> str:
    """A computer-friendly name (FHIR invariant: starts with a capital letter, letters, digits, _)."""
    name = "".join(part[:1].upper() + part[1:] for part in set_id.replace(".", "-").split("-"))
    return name if name[:1].isalpha() else f"ValueSet{name}"


def _description(value_set: ValueSet, site_codes: int) -> str:
    parts = [f"Codes the peritoneal-cds service recognises as: {value_set.title}."]
    if any(c.system == ICD10CM for c in value_set.codes):
        parts.append(
            "An ICD-10-CM code here also stands for every code below it (C18 matches C18.0-C18.9, C18.7 "
            "matches C18.72): codings are matched by ICD-10-CM prefix."
        )
    if site_codes:
        parts.append(f"Includes {site_codes} code{'s' if site_codes != 1 else ''} mapped by this site.")
    return " ".join(parts)


def _includes(value_set: ValueSet) -> list[dict[str, Any]]:
    """compose.include: one entry per code system, in order of first appearance."""
    by_system: dict[str, list[dict[str, str]]] = {}
    for code in value_set.codes:
        concept = {"code": code.code}
        if code.display.strip():
            concept["display"] = code.display
        by_system.setdefault(code.system, []).append(concept)
    return [{"system": system, "concept": concepts} for system, concepts in by_system.items()]


def value_set_resource(value_set: ValueSet) -> dict[str, Any]:
    """The FHIR R4 ValueSet of one value set in force (built-in codes, then the site's)."""
    site_codes = sum(1 for c in value_set.codes if c.verified_in.startswith(SITE_MAPPING))
    return {
        "resourceType": "ValueSet",
        "id": value_set.id,
        "url": f"{VALUE_SET_BASE}{value_set.id}",
        "version": package_version(),
        "name": _name(value_set.id),
        "title": value_set.title,
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": _description(value_set, site_codes),
        "compose": {"include": _includes(value_set)},
    }


def searchset(resources: Iterable[dict[str, Any]], base_url: str) -> dict[str, Any]:
    entries = [
        {
            "fullUrl": f"{base_url}/fhir/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(entries)}
    if entries:  # FHIR JSON has no empty arrays
        bundle["entry"] = entries
    return bundle


def _terminology(request: Request) -> Terminology:
    runtime: Runtime = request.app.state.runtime
    return runtime.terminology


def _base_url(request: Request) -> str:
    settings = request.app.state.runtime.settings
    return str(settings.public_base_url or request.base_url).rstrip("/")


@router.get("/CodeSystem/{system_id}", response_class=Response)
def get_code_system(system_id: str) -> Response:
    if system_id != CODE_SYSTEM_ID:
        return not_found(
            f"no CodeSystem with id '{system_id[:64]}' (this service has '{CODE_SYSTEM_ID}')", "id"
        )
    return fhir_response(code_system())


@router.get("/ValueSet/{set_id}", response_class=Response)
def get_value_set(set_id: str, request: Request) -> Response:
    value_set = _terminology(request).value_sets.get(set_id)
    if value_set is None:
        return not_found(f"no ValueSet with id '{set_id[:64]}' (GET /fhir/ValueSet lists them)", "id")
    return fhir_response(value_set_resource(value_set))


@router.get("/ValueSet", response_class=Response)
def search_value_sets(request: Request, url: str | None = None, _id: str | None = None) -> Response:
    """Every value set in force; `url` (canonical) and `_id` narrow the search."""
    resources = [value_set_resource(vs) for vs in _terminology(request).value_sets.values()]
    if url is not None:
        resources = [r for r in resources if r["url"] == url]
    if _id is not None:
        resources = [r for r in resources if r["id"] == _id]
    return fhir_response(searchset(resources, _base_url(request)))

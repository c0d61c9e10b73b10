"""Resolve a service's prefetch key by key, as CDS Hooks 2.0 §Prefetch says.

- a resource or searchset Bundle is used (next-links followed on `fhirServer` with the token, up to a cap);
- `null` means the client found no data;
- an OperationOutcome means the client failed to fetch it: re-queried once if a server is available;
- an absent key is fetched from `fhirServer`.
Independent queries run concurrently under one deadline. Only data that cannot be obtained raises
PrefetchUnobtainable (412); a record that lacks data is simply empty.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from cds_service.errors import MalformedRequest, PrefetchUnobtainable
from cds_service.fhir_client import FhirClient, FhirUnavailable, next_link
from cds_service.fhir_urls import is_fhir_id
from cds_service.settings import MAX_BUNDLE_ENTRIES
from fhir_mappings.resources import Resource, bundle_resources, reference_target

log = logging.getLogger(__name__)

FetchObserver = Callable[[str, bool], None]
"""Told once per prefetch key fetched from fhirServer: the key, and whether the fetch succeeded (metrics)."""

_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")
_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{0,63}")
_REFERENCE_TOKENS = frozenset({"userId"})
"""Context fields CDS Hooks 2.0 gives as `Type/id` (userId); every other token must be a bare FHIR id."""


def render(template: str, context: Mapping[str, Any]) -> str | None:
    """Fill `{{context.x}}` tokens (root-level context only); None when a token has no string value, or one that
    is not a FHIR id: `../../other/fhir/Patient/x` would move the query, and the token, off the FHIR base."""
    missing = False

    def sub(match: re.Match[str]) -> str:
        nonlocal missing
        value = context.get(match.group(1))
        if not isinstance(value, str) or not _fits_url(match.group(1), value):
            missing = True
            return ""
        return value

    rendered = _TOKEN.sub(sub, template)
    return None if missing else rendered


def _fits_url(name: str, value: str) -> bool:
    """`value` may stand in a URL for the context field `name`: a FHIR id (`Type/id` for a reference field)."""
    if name in _REFERENCE_TOKENS and value.count("/") == 1:
        resource_type, value = value.split("/")
        if _RESOURCE_TYPE.fullmatch(resource_type) is None:
            return False
    return is_fhir_id(value)


def resolve(
    templates: Mapping[str, str],
    prefetch: Mapping[str, Any] | None,
    context: Mapping[str, Any],
    client: FhirClient | None,
    executor: Executor,
    max_entries: int = MAX_BUNDLE_ENTRIES,
    observe: FetchObserver | None = None,
) -> list[Resource]:
    """Every resource the service's templates ask for, or PrefetchUnobtainable naming the keys that failed.
    A given Bundle with more than `max_entries` entries is refused (400) rather than read."""
    given = prefetch or {}
    resources: list[Resource] = []
    jobs: dict[str, Callable[[], list[Resource]]] = {}
    unobtainable: list[str] = []

    for key, template in templates.items():
        # Rendered only when it is to be fetched: most keys of a call arrive prefetched.
        if key in given:
            value = given[key]
            if value is None:
                continue
            if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
                raise MalformedRequest(f"prefetch.{key} must be a FHIR resource or null", [f"prefetch.{key}"])
            if value["resourceType"] == "OperationOutcome":
                query = render(template, context)
                if client is None or query is None:
                    unobtainable.append(key)
                else:
                    jobs[key] = _fetch(client, query)
                continue
            if value["resourceType"] != "Bundle":
                resources.append(value)
                continue
            entries = value.get("entry")
            if isinstance(entries, list) and len(entries) > max_entries:
                raise MalformedRequest(
                    f"prefetch.{key} has more than {max_entries} entries", [f"prefetch.{key}.entry"]
                )
            resources += bundle_resources(value)
            if next_link(value) is not None:
                if client is None:
                    unobtainable.append(key)
                else:
                    jobs[key] = _follow(client, value)
        elif client is None or (query := render(template, context)) is None:
            unobtainable.append(key)
        else:
            jobs[key] = _fetch(client, query)

    if unobtainable:
        raise PrefetchUnobtainable(
            "required data was not prefetched and cannot be fetched: no usable fhirServer or context id",
            [f"prefetch.{k}" for k in sorted(unobtainable)],
        )
    resources += _run(jobs, client, executor, observe)
    return resources


def resolve_medications(
    resources: list[Resource], client: FhirClient | None, executor: Executor
) -> list[Resource]:
    """Fetch Medications that orders reference but no bundle carried; failures cost only that drug's identity.
    A reference whose id is not a FHIR id is not fetched (`Medication/..` would read the base, with the token)."""
    if client is None:
        return []
    present = {f"{r.get('resourceType')}/{r.get('id')}" for r in resources}
    wanted = set()
    refused = 0
    for resource in resources:
        if resource.get("resourceType") in ("MedicationRequest", "MedicationAdministration"):
            target = reference_target(resource.get("medicationReference"))
            if target and target.startswith("Medication/") and target not in present:
                if is_fhir_id(target.removeprefix("Medication/")):
                    wanted.add(target)
                else:
                    refused += 1
    if refused:
        log.warning("medication references that are not FHIR ids not fetched: %d", refused)
    if not wanted:
        return []
    jobs = {target: _fetch(client, target) for target in sorted(wanted)}
    try:
        return _run(jobs, client, executor)
    except PrefetchUnobtainable as exc:
        log.warning("medication references unresolved: %d", len(exc.fields))
        return []


def _fetch(client: FhirClient, query: str) -> Callable[[], list[Resource]]:
    def fetch() -> list[Resource]:
        return client.search_all(query)

    return fetch


def _follow(client: FhirClient, first: dict[str, Any]) -> Callable[[], list[Resource]]:
    def follow() -> list[Resource]:
        out: list[Resource] = []
        for page in client.pages(first):
            out += bundle_resources(page)
        return out

    return follow


def _run(
    jobs: Mapping[str, Callable[[], list[Resource]]],
    client: FhirClient | None,
    executor: Executor,
    observe: FetchObserver | None = None,
) -> list[Resource]:
    if not jobs or client is None:
        return []
    futures: dict[str, Future[list[Resource]]] = {key: executor.submit(job) for key, job in jobs.items()}
    out: list[Resource] = []
    failed: list[str] = []
    for key, future in futures.items():
        try:
            out += future.result(timeout=max(client.remaining(), 0.0))
        except FhirUnavailable as exc:
            log.warning("prefetch key %s unobtainable: %s", key, exc)
            failed.append(key)
        except FutureTimeout:
            log.warning("prefetch key %s unobtainable: deadline passed", key)
            future.cancel()
            failed.append(key)
    if observe is not None:
        for key in futures:
            observe(key, key not in failed)
    if failed:
        raise PrefetchUnobtainable(
            "required data could not be fetched from fhirServer", [f"prefetch.{k}" for k in sorted(failed)]
        )
    return [r for r in out if isinstance(r, Mapping)] if out else []

"""One hook call, stage by stage: validate → prefetch → facts → rules → cards. Callable without the web app."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from cds_service.auth.caller import Caller
from cds_service.clock import Clock, UuidFactory
from cds_service.engine.cards import CardBuilder
from cds_service.engine.run import run_rules
from cds_service.engine.types import HookContext
from cds_service.fhir_client import FhirClient, FhirLimits
from cds_service.prefetch.resolve import FetchObserver, resolve, resolve_medications
from cds_service.protocol.models import CardsResponse, HookRequest, OrderSelectContext, OrderSignContext
from cds_service.protocol.parse import parse_hook_request
from cds_service.settings import DEFAULT_CONCURRENT_HOOKS, Settings
from cds_service.slots import HookSlots
from fhir_mappings.dates import local_today
from fhir_mappings.extract import build_picture
from fhir_mappings.resources import Resource, ResourceIndex, bundle_resources, ref_key
from fhir_mappings.terminology import BUILT_IN, Terminology
from hooks.services import ServiceDeclaration

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """What a hook call needs beyond its request, built once by the app factory."""

    settings: Settings
    clock: Clock
    new_uuid: UuidFactory
    executor: Executor
    observe_fetch: FetchObserver | None = None
    """Told of every prefetch key fetched from fhirServer (the metrics)."""
    terminology: Terminology = BUILT_IN
    """The value sets in force: built-in plus the site's mappings (CDS_SITE_CODES)."""
    slots: HookSlots = field(default_factory=lambda: HookSlots(DEFAULT_CONCURRENT_HOOKS))
    """How many hook calls evaluate at once (CDS_MAX_CONCURRENT_HOOKS); see cds_service.slots."""


Lap = Callable[[str], None]
"""Told the name of each stage of a hook call as it ends: the benchmark's stage profile (`bench/stages.py`)
times the pipeline with the very code that serves calls, not a copy of it."""


def _no_lap(stage: str) -> None:
    """Serving calls: nothing listens."""


def fhir_client_for(request: HookRequest, settings: Settings, caller: Caller | None) -> FhirClient | None:
    """A client for the request's fhirServer, or None when there is none or it is not allowed (for this
    service, and for the calling client when calls are authenticated)."""
    if request.fhirServer is None:
        return None
    allowed = settings.fhir_server_allowed(request.fhirServer)
    if caller is not None:
        allowed = allowed and caller.client.allows_fhir_server(request.fhirServer)
    if not allowed:
        log.warning("fhirServer not allowed; answering as if none was given")
        return None
    token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
    limits = FhirLimits(
        connect_timeout=settings.fhir_connect_timeout,
        read_timeout=settings.fhir_read_timeout,
        max_pages=settings.fhir_max_pages,
        max_bytes=settings.fhir_max_bytes,
    )
    return FhirClient(
        request.fhirServer, token, limits, time.monotonic() + settings.prefetch_deadline_seconds
    )


def handle_hook(
    service: ServiceDeclaration,
    data: Any,
    runtime: Runtime,
    base_url: str,
    caller: Caller | None = None,
    lap: Lap = _no_lap,
) -> dict[str, Any]:
    """The cards response for one parsed JSON body, or a CdsError. `lap` hears the end of each stage: envelope,
    prefetch, picture, rules, cards."""
    parsed = parse_hook_request(data, service.hook, runtime.settings.max_bundle_entries)
    lap("envelope")
    request, context = parsed.request, parsed.context
    drafts: list[Resource] = []
    under_review: list[str] | None = None
    if isinstance(context, OrderSignContext):
        drafts = list(bundle_resources(request.context["draftOrders"]))
    if isinstance(context, OrderSelectContext):
        under_review = context.selections

    client = fhir_client_for(request, runtime.settings, caller)
    try:
        record = resolve(
            service.prefetch_with(runtime.terminology),
            request.prefetch,
            request.context,
            client,
            runtime.executor,
            runtime.settings.max_bundle_entries,
            observe=runtime.observe_fetch,
            waiting=runtime.slots.released,
        )
        record += resolve_medications(drafts + record, client, runtime.executor, runtime.slots.released)
    finally:
        if client is not None:
            client.close()
    lap("prefetch")

    settings = runtime.settings
    picture = build_picture(
        ResourceIndex(drafts + record), drafts, under_review, settings.tz, runtime.terminology
    )
    lap("picture")
    now = runtime.clock()
    findings = run_rules(service.rules, picture, HookContext(service.hook, local_today(now, settings.tz)))
    lap("rules")
    drafts_by_ref = {key: r for r in drafts if (key := ref_key(r)) is not None}
    builder = CardBuilder(
        base_url,
        runtime.new_uuid,
        drafts_by_ref,
        settings.tz,
        str(request.context.get("patientId", "")),
        runtime.terminology,
    )
    response = CardsResponse(cards=[builder.card(rule, finding) for rule, finding in findings])
    if picture.skipped_resources:
        log.warning(
            "hook %s hookInstance=%s skipped_resources=%d",
            service.id,
            request.hookInstance[:64],
            picture.skipped_resources,
        )
    answer = response.to_json()
    lap("cards")
    return answer

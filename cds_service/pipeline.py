"""One hook call, stage by stage: envelope → prefetch → picture → rules → cards. Callable without the web app,
and blind to how calls are served (admission, evaluation slots, threads: cds_service.serving)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from cds_service.auth.caller import Caller
from cds_service.clock import Clock, UuidFactory
from cds_service.engine.cards import CardBuilder
from cds_service.engine.run import run_rules
from cds_service.engine.statements import Statement
from cds_service.engine.types import Finding, HookContext, Rule
from cds_service.fhir_client import FhirClient, FhirLimits
from cds_service.fhir_refusal import fhir_server_refusal, url_for_log
from cds_service.fhir_urls import parses
from cds_service.prefetch.resolve import FetchObserver, resolve, resolve_medications
from cds_service.protocol.models import Card, CardsResponse, HookRequest, OrderSelectContext
from cds_service.protocol.parse import ParsedRequest, parse_hook_request
from cds_service.settings import Settings
from fhir_mappings.dates import local_today
from fhir_mappings.extract import build_picture
from fhir_mappings.facts import ClinicalPicture
from fhir_mappings.resources import Resource, ResourceIndex
from fhir_mappings.terminology import BUILT_IN, Terminology
from hooks.services import ServiceDeclaration

log = logging.getLogger(__name__)

STAGES = ("envelope", "prefetch", "picture", "rules", "cards")
"""The stages of a hook call, in order (each a function of this module)."""


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


@dataclass(frozen=True, slots=True)
class RuledCard:
    """A card and the rule that made it."""

    rule: Rule
    card: Card

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The guideline statements the card rests on."""
        return self.rule.statements


@dataclass(frozen=True, slots=True)
class HookResult:
    """The answer to one hook call: its validated request and its cards, critical first."""

    request: HookRequest
    cards: tuple[RuledCard, ...]

    def response(self) -> CardsResponse:
        return CardsResponse(cards=[c.card for c in self.cards])

    def to_json(self) -> dict[str, Any]:
        """The CDS Hooks response body."""
        return self.response().to_json()


def fhir_client_for(request: HookRequest, settings: Settings, caller: Caller | None) -> FhirClient | None:
    """A client for the request's fhirServer, or None when there is none or it is not allowed (for this
    service, and for the calling client when calls are authenticated)."""
    if request.fhirServer is None:
        return None
    if not parses(request.fhirServer):  # refused here: the log line below could not even name it
        log.warning("fhirServer does not parse as a URL; answering as if none was given")
        return None
    allowed = settings.fhir_server_allowed(request.fhirServer)
    if caller is not None:
        allowed = allowed and caller.client.allows_fhir_server(request.fhirServer)
    if not allowed:
        log.warning(
            "fhirServer %s not allowed (%s); answering as if none was given",
            url_for_log(request.fhirServer),
            fhir_server_refusal(request.fhirServer, settings, caller.client if caller is not None else None),
        )
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


def envelope(service: ServiceDeclaration, data: Any, runtime: Runtime) -> ParsedRequest:
    """The request validated against the CDS Hooks model of the service's hook, its draft orders indexed."""
    return parse_hook_request(data, service.hook, runtime.settings.max_bundle_entries)


def may_fetch(call: ParsedRequest) -> bool:
    """Whether the prefetch stage may wait on a FHIR server (the request names one)."""
    return call.request.fhirServer is not None


def prefetch(
    service: ServiceDeclaration, call: ParsedRequest, runtime: Runtime, caller: Caller | None
) -> list[Resource]:
    """The record: the prefetched resources, and what was missing fetched from fhirServer (blocking I/O)."""
    request = call.request
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
        )
        record += resolve_medications([*call.drafts, *record], client, runtime.executor)
    finally:
        if client is not None:
            client.close()
    return record


def picture(
    service: ServiceDeclaration, call: ParsedRequest, record: list[Resource], runtime: Runtime
) -> ClinicalPicture:
    """The clinical picture, built once from the draft orders and the record; the resources it could not read
    are logged (their count, never their content)."""
    context = call.context
    under_review = context.selections if isinstance(context, OrderSelectContext) else None
    drafts = list(call.drafts)
    facts = build_picture(
        ResourceIndex(drafts + record), drafts, under_review, runtime.settings.tz, runtime.terminology
    )
    if facts.skipped_resources:
        log.warning(
            "hook %s hookInstance=%s skipped_resources=%d",
            service.id,
            call.request.hookInstance[:64],
            facts.skipped_resources,
        )
    return facts


def rules(
    service: ServiceDeclaration, facts: ClinicalPicture, runtime: Runtime
) -> list[tuple[Rule, Finding]]:
    """The service's rules run on the picture, on the site-local date of the clock's now."""
    today = local_today(runtime.clock(), runtime.settings.tz)
    return run_rules(service.rules, facts, HookContext(service.hook, today))


def cards(
    call: ParsedRequest, findings: list[tuple[Rule, Finding]], runtime: Runtime, base_url: str
) -> HookResult:
    """One card per finding, its suggestions validated as FHIR."""
    builder = CardBuilder(
        base_url,
        runtime.new_uuid,
        call.drafts_by_ref,
        runtime.settings.tz,
        str(call.request.context.get("patientId", "")),
        runtime.terminology,
    )
    return HookResult(call.request, tuple(RuledCard(rule, builder.card(rule, f)) for rule, f in findings))


def handle_hook(
    service: ServiceDeclaration,
    data: Any,
    runtime: Runtime,
    base_url: str,
    caller: Caller | None = None,
) -> HookResult:
    """The answer to one parsed JSON body, or a CdsError: every stage in order. (Serving calls the same stages
    through cds_service.serving, which adds evaluation slots and the benchmark's laps.)"""
    call = envelope(service, data, runtime)
    record = prefetch(service, call, runtime, caller)
    facts = picture(service, call, record, runtime)
    return cards(call, rules(service, facts, runtime), runtime, base_url)

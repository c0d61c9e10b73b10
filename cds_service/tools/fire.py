"""`peritoneal-cds fire`: call a CDS service as an EHR would.

It reads the service's discovery, builds the hook's context (patient-view; order-select and order-sign with the
given draft orders, the selections being those drafts; appointment-book with the given appointments), fills
`prefetch` from the service's own templates against a FHIR server (or sends `fhirServer` and lets the service
fetch), signs each call with a development key when one is given or found, and prints the cards.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import orjson
import requests

from cds_service.engine.types import ORDER_HOOKS
from cds_service.fhir_client import next_link
from cds_service.prefetch.resolve import render
from cds_service.tools.devkeys import DevKey

HOOKS = ("patient-view", "order-select", "order-sign", "appointment-book")
DEFAULT_SERVICE = "http://127.0.0.1:8000"
DEFAULT_USER = "Practitioner/cli-user"
MAX_PAGES = 20
TIMEOUT = 30.0


class FireError(Exception):
    """The hook could not be fired (bad order file, unreachable server, no such service)."""


@dataclass(frozen=True)
class FireOptions:
    hook: str
    patient: str
    service: str = DEFAULT_SERVICE
    fhir: str | None = None
    fhir_token: str | None = None
    let_service_fetch: bool = False
    orders: tuple[Path, ...] = ()
    appointments: tuple[Path, ...] = ()
    """Appointments being booked (appointment-book): files as for `orders`."""
    user: str = DEFAULT_USER
    encounter: str | None = None
    service_id: str | None = None
    public_base_url: str | None = None
    """The service's CDS_PUBLIC_BASE_URL when it differs from `service` (the JWT audience)."""
    key: DevKey | None = None


@dataclass(frozen=True)
class FireResult:
    service_id: str
    status: int
    request: dict[str, Any]
    response: Any


def load_orders(
    paths: Sequence[Path], context_key: str = "draftOrders", what: str = "draft order"
) -> list[dict[str, Any]]:
    """Draft orders (or, with context_key "appointments", the Appointments being booked) from files holding a
    resource, a Bundle, or a whole hook request (its draftOrders or appointments)."""
    drafts: list[dict[str, Any]] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise FireError(f"{path}: not a readable JSON file ({exc})") from exc
        if isinstance(data, dict) and isinstance(data.get("context"), dict):
            data = data["context"].get(context_key)
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            found = [
                e["resource"] for e in data.get("entry") or [] if isinstance(e, dict) and e.get("resource")
            ]
        elif isinstance(data, dict) and isinstance(data.get("resourceType"), str):
            found = [data]
        else:
            found = []
        if not found:
            raise FireError(f"{path}: holds no {what} (a FHIR resource, a Bundle, or a hook request)")
        drafts += found
    for n, draft in enumerate(drafts, 1):
        draft.setdefault("id", f"draft-{n}")
    return drafts


def carried_prefetch(paths: Sequence[Path]) -> dict[str, Any]:
    """The `prefetch` of --order files that are whole hook requests (such as fixtures/examples/*.json), merged:
    what `fire` sends when no FHIR server is named, so the examples work with the service alone."""
    merged: dict[str, Any] = {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("prefetch"), dict):
            merged.update(data["prefetch"])
    return merged


def build_context(options: FireOptions, drafts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": options.user, "patientId": options.patient}
    if options.encounter:
        context["encounterId"] = options.encounter
    if options.hook in ORDER_HOOKS:
        if not drafts:
            raise FireError(f"{options.hook} needs at least one --order FILE (a draft order)")
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
        if options.hook == "order-select":
            context["selections"] = [f"{d['resourceType']}/{d['id']}" for d in drafts]
    if options.hook == "appointment-book":
        if not drafts:
            raise FireError("appointment-book needs at least one --appointment FILE (an Appointment)")
        context["appointments"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
    return context


class Session:
    """HTTP to the service (signed when there is a key) and to the FHIR server (with its token, if any)."""

    def __init__(self, options: FireOptions) -> None:
        self.options = options
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def _cds_url(self, path: str) -> tuple[str, str]:
        url = self.options.service.rstrip("/") + path
        audience = (self.options.public_base_url or self.options.service).rstrip("/") + path
        return url, audience

    def _headers(self, audience: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.options.key is not None:
            headers["Authorization"] = f"Bearer {self.options.key.sign(audience)}"
        return headers

    def discovery(self) -> dict[str, Any]:
        url, audience = self._cds_url("/cds-services")
        response = self._send("GET", url, headers=self._headers(audience))
        if response.status_code != 200:
            raise FireError(f"discovery at {url} answered {response.status_code}: {_problem(response)}")
        data: dict[str, Any] = response.json()
        return data

    def call(self, service_id: str, body: dict[str, Any]) -> requests.Response:
        url, audience = self._cds_url(f"/cds-services/{service_id}")
        headers = {**self._headers(audience), "Content-Type": "application/json"}
        return self._send("POST", url, headers=headers, data=orjson.dumps(body))

    def fhir_get(self, query: str) -> Any:
        """One prefetch value: the resource or searchset (next pages merged in), None when not found."""
        assert self.options.fhir is not None
        base = self.options.fhir.rstrip("/") + "/"
        headers = {"Accept": "application/fhir+json"}
        if self.options.fhir_token:
            headers["Authorization"] = f"Bearer {self.options.fhir_token}"
        response = self._send("GET", urljoin(base, query), headers=headers)
        if response.status_code in (404, 410):
            return None
        if response.status_code != 200:
            raise FireError(f"FHIR server answered {response.status_code} to {query}: {_problem(response)}")
        data: Any = response.json()
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            pages = 1
            while (link := next_link(data)) is not None and pages < MAX_PAGES:
                more = self._send("GET", urljoin(base, link), headers=headers)
                if more.status_code != 200:
                    raise FireError(f"FHIR server answered {more.status_code} to a next page of {query}")
                page = more.json()
                data["entry"] = (data.get("entry") or []) + (page.get("entry") or [])
                data["link"] = page.get("link") or []
                pages += 1
            data["link"] = [link for link in data.get("link") or [] if link.get("relation") != "next"]
        return data

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.http.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            raise FireError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from exc


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    return outcome_text(body)


def outcome_text(body: Any) -> str:
    """An OperationOutcome as one line: its messages, then the fields they name."""
    if not (isinstance(body, dict) and body.get("resourceType") == "OperationOutcome"):
        return json.dumps(body)[:300]
    issues = [i for i in body.get("issue") or [] if isinstance(i, dict)]
    messages = dict.fromkeys(str(i.get("diagnostics") or i.get("code")) for i in issues)
    fields = [f for i in issues for f in i.get("expression") or []]
    return "; ".join(messages) + (f" (fields: {', '.join(fields)})" if fields else "")


def choose_service(discovery: dict[str, Any], hook: str, service_id: str | None) -> dict[str, Any]:
    services = discovery.get("services") or []
    for service in services:
        if (service_id is None and service.get("hook") == hook) or service.get("id") == service_id:
            return dict(service)
    wanted = f"id {service_id!r}" if service_id else f"hook {hook!r}"
    known = ", ".join(f"{s.get('id')} ({s.get('hook')})" for s in services) or "none"
    raise FireError(f"the service offers no CDS service with {wanted}; it offers: {known}")


def fire(options: FireOptions) -> FireResult:
    if options.hook not in HOOKS:
        raise FireError(f"unknown hook {options.hook!r}; one of {', '.join(HOOKS)}")
    if options.hook == "appointment-book":
        drafts = load_orders(options.appointments, "appointments", "appointment")
    else:
        drafts = load_orders(options.orders)
    context = build_context(options, drafts)
    session = Session(options)
    try:
        service = choose_service(session.discovery(), options.hook, options.service_id)
        body: dict[str, Any] = {"hookInstance": str(uuid.uuid4()), "hook": options.hook, "context": context}
        if options.fhir and options.let_service_fetch:
            body["fhirServer"] = options.fhir.rstrip("/")
            if options.fhir_token:
                body["fhirAuthorization"] = {
                    "access_token": options.fhir_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "patient/*.read",
                    "subject": service["id"],
                }
        elif options.fhir:
            prefetch: dict[str, Any] = {}
            for key, template in (service.get("prefetch") or {}).items():
                query = render(template, context)
                if query is not None:
                    prefetch[key] = session.fhir_get(query)
            body["prefetch"] = prefetch
        elif carried := carried_prefetch([*options.orders, *options.appointments]):
            body["prefetch"] = carried  # no FHIR server named: the example requests' own prefetch
        response = session.call(service["id"], body)
    finally:
        session.close()
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    return FireResult(service["id"], response.status_code, body, answer)


def render_cards(result: FireResult) -> str:
    """The cards as a clinician would read them: indicator, summary, detail, source, suggestions."""
    if result.status != 200:
        return f"{result.service_id} answered HTTP {result.status}: {outcome_text(result.response)}"
    cards = result.response.get("cards") or []
    lines = [f"{result.service_id}: {len(cards)} card{'s' if len(cards) != 1 else ''}"]
    for card in cards:
        source = card.get("source") or {}
        topic = (source.get("topic") or {}).get("code")
        lines.append("")
        lines.append(f"[{str(card.get('indicator', '')).upper()}] {card.get('summary', '')}")
        lines.append(f"  rule: {topic}" if topic else "  rule: -")
        lines.append(
            f"  source: {source.get('label', '')}" + (f" <{source['url']}>" if source.get("url") else "")
        )
        if card.get("detail"):
            lines.append("  detail:")
            for paragraph in str(card["detail"]).splitlines():
                wrapped = textwrap.wrap(paragraph, 100, initial_indent="    ", subsequent_indent="    ")
                lines += wrapped or [""]
        for n, suggestion in enumerate(card.get("suggestions") or [], 1):
            if n == 1:
                lines.append("  suggestions:")
            actions = "; ".join(
                f"{a.get('type')} {a.get('resourceId') or _ref(a.get('resource'))}".rstrip()
                for a in suggestion.get("actions") or []
            )
            lines.append(f"    {n}. {suggestion.get('label', '')}" + (f" ({actions})" if actions else ""))
        reasons = [r.get("display") or r.get("code") for r in card.get("overrideReasons") or []]
        if reasons:
            lines.append(f"  override reasons: {'; '.join(str(r) for r in reasons)}")
    return "\n".join(lines)


def _ref(resource: Any) -> str:
    if isinstance(resource, dict) and resource.get("resourceType"):
        return f"{resource['resourceType']}/{resource.get('id', '')}".rstrip("/")
    return ""

"""CDS Hooks 2.0 wire models, with the spec's camelCase names.

Requests are lenient (unknown fields and extensions ignored); responses are strict: every model is dumped with
`exclude_none`, and builders never set empty strings or empty arrays (the spec forbids both).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SUMMARY_MAX = 139  # CDS Hooks 2.0 §Card: summary "<140 characters"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests -------------------------------------------------------------------------------------------------


class FhirAuthorization(_Lenient):
    access_token: NonEmpty
    token_type: Literal["Bearer"]
    expires_in: int
    scope: NonEmpty
    subject: NonEmpty
    patient: str | None = None


class PatientViewContext(_Lenient):
    userId: NonEmpty
    patientId: NonEmpty
    encounterId: NonEmpty | None = None


class DraftOrders(_Lenient):
    """A Bundle of draft orders (or of appointments being booked); `type` is often missing in what EHRs send, so
    it is not required."""

    resourceType: Literal["Bundle"]
    entry: list[dict[str, Any]] = []  # copied for each instance; see Settings on default_factory=list


class OrderSignContext(PatientViewContext):
    draftOrders: DraftOrders


class OrderSelectContext(OrderSignContext):
    selections: Annotated[list[NonEmpty], Field(min_length=1)]


class AppointmentBookContext(PatientViewContext):
    """appointment-book (CDS Hooks hook library): the Appointment(s) being booked, as a Bundle."""

    appointments: DraftOrders


HOOK_CONTEXTS: dict[str, type[PatientViewContext]] = {
    "patient-view": PatientViewContext,
    "order-select": OrderSelectContext,
    "order-sign": OrderSignContext,
    "appointment-book": AppointmentBookContext,
}


class HookRequest(_Lenient):
    hook: NonEmpty
    hookInstance: NonEmpty
    fhirServer: NonEmpty | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


# --- responses ------------------------------------------------------------------------------------------------


class Coding(_Strict):
    system: NonEmpty | None = None
    code: NonEmpty
    display: NonEmpty | None = None


class Source(_Strict):
    label: NonEmpty
    url: NonEmpty | None = None
    icon: NonEmpty | None = None
    topic: Coding | None = None


class Action(_Strict):
    type: Literal["create", "update", "delete"]
    description: NonEmpty
    resource: dict[str, Any] | None = None
    resourceId: NonEmpty | None = None


class Suggestion(_Strict):
    label: NonEmpty
    uuid: NonEmpty | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Strict):
    label: NonEmpty
    url: NonEmpty
    type: Literal["absolute", "smart"]
    appContext: NonEmpty | None = None


class Card(_Strict):
    uuid: NonEmpty | None = None
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_MAX)]
    detail: NonEmpty | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CardsResponse(_Strict):
    cards: list[Card]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ServiceDescriptor(_Strict):
    hook: NonEmpty
    title: NonEmpty | None = None
    description: NonEmpty
    id: NonEmpty
    prefetch: dict[str, NonEmpty] | None = None
    usageRequirements: NonEmpty | None = None


class DiscoveryResponse(_Strict):
    services: list[ServiceDescriptor]


# --- feedback -------------------------------------------------------------------------------------------------


class ReceivedCoding(_Lenient):
    """A Coding as clients send it: unknown elements (userSelected, version…) are ignored."""

    system: NonEmpty | None = None
    code: NonEmpty
    display: NonEmpty | None = None


class OverrideReasonFeedback(_Lenient):
    reason: ReceivedCoding | None = None
    userComment: NonEmpty | None = None

    @model_validator(mode="after")
    def _reason_or_comment(self) -> OverrideReasonFeedback:
        if self.reason is None and self.userComment is None:
            raise ValueError("overrideReason needs a reason or a userComment")
        return self


class AcceptedSuggestion(_Lenient):
    id: NonEmpty


class FeedbackItem(_Lenient):
    card: NonEmpty
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReasonFeedback | None = None
    outcomeTimestamp: NonEmpty

    @field_validator("outcomeTimestamp")
    @classmethod
    def _iso8601(cls, value: str) -> str:
        if not _DATE_TIME.match(value):
            raise ValueError(
                "outcomeTimestamp must be an ISO 8601 date and time with an offset, e.g. 2026-03-02T09:00:00Z"
            )
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    @model_validator(mode="after")
    def _outcome_fields(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("acceptedSuggestions is required when outcome is accepted")
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("overrideReason is only allowed when outcome is overridden")
        return self


class FeedbackRequest(_Lenient):
    feedback: Annotated[list[FeedbackItem], Field(min_length=1)]

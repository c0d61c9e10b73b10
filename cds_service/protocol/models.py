"""CDS Hooks 2.0 wire models, with the spec's camelCase names.

Requests are lenient (unknown fields and extensions ignored); responses are strict: every model is dumped with
`exclude_none`, and builders never set empty strings or empty arrays (the spec forbids both).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from cds_service.settings import MAX_BUNDLE_ENTRIES

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
SUMMARY_MAX = 139  # CDS Hooks 2.0 §Card: summary "<140 characters"
MAX_FEEDBACK_ITEMS = 1000
"""Feedback items per POST (a client sends one per card shown): more is a 400 before any item is validated."""
MAX_ACCEPTED_SUGGESTIONS = 100
"""Accepted suggestions per feedback item (a card offers a few). Validated up to the first bad one: a full list of
bad suggestions in each of a thousand items would be a hundred thousand errors (160 MB) from a 0.4 MB body."""
FEEDBACK_ID_MAX = 200
"""Card and suggestion ids: the store's card_uuid column is VARCHAR(200), which PostgreSQL enforces."""
FEEDBACK_TEXT_MAX = 4096
"""Codings and comments of feedback (stored as JSON text, unbounded by the column: bounded here)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    """PostgreSQL refuses NUL in text (a 500 there, stored on SQLite), and no identifier or code holds a control
    character."""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (U+0000-U+001F, U+007F-U+009F)")
    return value


def _no_control_but_line_breaks(value: str) -> str:
    """Free text: tab, line feed and carriage return allowed, as in a FHIR string."""
    if _CONTROL_BUT_LINE_BREAKS.search(value):
        raise ValueError("must not contain control characters other than tab, line feed and carriage return")
    return value


FeedbackId = Annotated[
    str, StringConstraints(min_length=1, max_length=FEEDBACK_ID_MAX), AfterValidator(_no_control)
]
FeedbackToken = Annotated[
    str, StringConstraints(min_length=1, max_length=FEEDBACK_TEXT_MAX), AfterValidator(_no_control)
]
FeedbackText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=FEEDBACK_TEXT_MAX),
    AfterValidator(_no_control_but_line_breaks),
]


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
    # Copied for each instance (see Settings on default_factory=list). The length is checked before any element:
    # a million bad entries would otherwise be a million errors.
    entry: Annotated[list[dict[str, Any]], Field(max_length=MAX_BUNDLE_ENTRIES)] = []


class OrderSignContext(PatientViewContext):
    draftOrders: DraftOrders


class OrderSelectContext(OrderSignContext):
    selections: Annotated[list[NonEmpty], Field(min_length=1, max_length=MAX_BUNDLE_ENTRIES)]
    """Each names a draft order: no more than a Bundle may hold (checked before any element)."""


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


# Feedback is stored as received: every string is bounded and free of control characters here, so that a value
# PostgreSQL would refuse (too long for its column, a NUL) is a 400 naming the field, on either store.


class ReceivedCoding(_Lenient):
    """A Coding as clients send it: unknown elements (userSelected, version…) are ignored."""

    system: FeedbackToken | None = None
    code: FeedbackToken
    display: FeedbackText | None = None


class OverrideReasonFeedback(_Lenient):
    reason: ReceivedCoding | None = None
    userComment: FeedbackText | None = None

    @model_validator(mode="after")
    def _reason_or_comment(self) -> OverrideReasonFeedback:
        if self.reason is None and self.userComment is None:
            raise ValueError("overrideReason needs a reason or a userComment")
        return self


class AcceptedSuggestion(_Lenient):
    id: FeedbackId


class FeedbackItem(_Lenient):
    card: FeedbackId
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: (
        Annotated[list[AcceptedSuggestion], Field(max_length=MAX_ACCEPTED_SUGGESTIONS, fail_fast=True)] | None
    ) = None
    overrideReason: OverrideReasonFeedback | None = None
    outcomeTimestamp: NonEmpty

    @field_validator("outcomeTimestamp")
    @classmethod
    def _iso8601(cls, value: str) -> str:
        """At most nanoseconds (which also keeps it within its VARCHAR(64) column), and a date and time that
        exist."""
        if not _DATE_TIME.fullmatch(value):
            raise ValueError(
                "outcomeTimestamp must be an ISO 8601 date and time with an offset and at most 9 fractional "
                "digits, e.g. 2026-03-02T09:00:00Z"
            )
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"outcomeTimestamp is not a valid date and time ({exc})") from exc
        return value

    @model_validator(mode="after")
    def _outcome_fields(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("acceptedSuggestions is required when outcome is accepted")
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("overrideReason is only allowed when outcome is overridden")
        return self


class FeedbackRequest(_Lenient):
    feedback: Annotated[list[FeedbackItem], Field(min_length=1, max_length=MAX_FEEDBACK_ITEMS)]

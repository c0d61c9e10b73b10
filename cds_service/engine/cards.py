"""Turn findings into spec-exact CDS cards: uuid, source with topic, override reasons, FHIR actions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import assert_never

from cds_service.engine.types import (
    ActionSpec,
    CreateServiceRequest,
    DeleteDraft,
    Finding,
    Indicator,
    MoveAppointment,
    MoveMedicationStart,
    MoveServiceRequestDate,
    Rule,
    SetMedicationDose,
    SuggestionSpec,
)
from cds_service.protocol.models import Action, Card, Coding, Source, Suggestion
from fhir_mappings.actions import (
    new_service_request,
    with_appointment_day,
    with_dose,
    with_medication_start,
    with_occurrence,
)
from fhir_mappings.resources import Resource
from fhir_mappings.terminology import Terminology

log = logging.getLogger(__name__)

RULES_SYSTEM = "http://peritoneal-cds.org/CodeSystem/rules"
OVERRIDE_SYSTEM = "http://peritoneal-cds.org/CodeSystem/override-reasons"
OVERRIDE_REASONS = (
    Coding(
        system=OVERRIDE_SYSTEM,
        code="benefit-outweighs-risk",
        display="Benefit outweighs the risk for this patient",
    ),
    Coding(system=OVERRIDE_SYSTEM, code="dates-incorrect", display="Dates in the record are not current"),
    Coding(system=OVERRIDE_SYSTEM, code="already-addressed", display="Already addressed in the care plan"),
)


def unreviewed_note(rule: Rule) -> str:
    """Said on every card resting on a document that marks itself unreviewed, naming that document (a card may
    also rest on documents that do not)."""
    titles = dict.fromkeys(s.document.title for s in rule.statements if s.document.unreviewed)
    if not titles:
        return ""
    named = " and ".join(f"“{t}”" for t in titles)
    return f"\n\n_{named} {'calls itself' if len(titles) == 1 else 'call themselves'} pending human review._"


class CardBuilder:
    """Builds the cards of one hook call. `drafts` are the call's draft orders by `Type/id`."""

    def __init__(
        self,
        base_url: str,
        new_uuid: Callable[[], str],
        drafts: Mapping[str, Resource],
        tz: tzinfo,
        patient_id: str,
        terminology: Terminology,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._new_uuid = new_uuid
        self._drafts = drafts
        self._tz = tz
        self._patient_id = patient_id
        self._terminology = terminology

    def card(self, rule: Rule, finding: Finding) -> Card:
        document = rule.document
        suggestions = [s for s in (self._suggestion(spec) for spec in finding.suggestions) if s is not None]
        detail = finding.detail + unreviewed_note(rule)
        return Card(
            uuid=self._new_uuid(),
            summary=finding.summary,
            detail=detail,
            indicator=finding.indicator.value,
            source=Source(
                label=document.label,
                url=f"{self._base_url}/sources/{document.short_name}",
                topic=Coding(system=RULES_SYSTEM, code=rule.id, display=rule.title),
            ),
            suggestions=suggestions or None,
            selectionBehavior="at-most-one" if suggestions else None,
            overrideReasons=list(OVERRIDE_REASONS) if finding.indicator is not Indicator.INFO else None,
        )

    def _suggestion(self, spec: SuggestionSpec) -> Suggestion | None:
        try:
            actions = [self._action(a) for a in spec.actions]
        except Exception as exc:  # a draft too odd to rewrite costs its suggestion, never the card
            log.warning("suggestion dropped: %s", type(exc).__name__)
            return None
        return Suggestion(
            label=spec.label,
            uuid=self._new_uuid(),
            isRecommended=spec.is_recommended,
            actions=actions or None,  # keeping things as they are: a suggestion with no action
        )

    def _action(self, spec: ActionSpec) -> Action:
        if isinstance(spec, DeleteDraft):
            if spec.ref not in self._drafts:  # only drafts of this call can be deleted
                raise KeyError(spec.ref)
            return Action(type="delete", description=spec.description, resourceId=spec.ref)
        if isinstance(spec, CreateServiceRequest):
            codes = self._terminology.orderable(spec.order).codes
            resource = new_service_request(self._patient_id, codes, spec.order.value)
            return Action(type="create", description=spec.description, resource=resource)
        if isinstance(spec, MoveMedicationStart):
            resource = with_medication_start(
                self._drafts[spec.ref], spec.current_start, spec.new_start, self._tz
            )
        elif isinstance(spec, MoveServiceRequestDate):
            resource = with_occurrence(self._drafts[spec.ref], spec.current_date, spec.new_date, self._tz)
        elif isinstance(spec, MoveAppointment):
            resource = with_appointment_day(
                self._drafts[spec.ref], spec.current_date, spec.new_date, self._tz
            )
        elif isinstance(spec, SetMedicationDose):
            resource = with_dose(self._drafts[spec.ref], spec.amount, spec.unit.value if spec.unit else None)
        else:
            assert_never(spec)
        return Action(type="update", description=spec.description, resource=resource)

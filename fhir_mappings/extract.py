"""Build the clinical picture from the resources of one hook call, entry by entry.

A resource that cannot be read costs its own fact, never the hook: each extractor runs under a guard that logs
the resource's type and id and moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from datetime import date, tzinfo
from typing import Any, TypeVar

from fhir_mappings.conditions import condition_fact
from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.doses import ordered_dose
from fhir_mappings.facts import (
    Administration,
    CancerCondition,
    ClinicalPicture,
    ComorbidCondition,
    Drug,
    GeneResult,
    ImagingExam,
    Intervention,
    MarkerResult,
    Measurement,
    MedicationOrder,
    Metastasis,
    RiskFinding,
    Score,
    StatusReport,
    Surgery,
)
from fhir_mappings.observations import BloodPressurePart, latest, latest_blood_pressure, observation_fact
from fhir_mappings.patient import MeasuredObservation, demographics, latest_per_measure, measurement
from fhir_mappings.resources import Resource, ResourceIndex, as_list, codings_of, concept_text, ref_key
from fhir_mappings.schedule import read_repeat
from fhir_mappings.terminology import BUILT_IN, ObservationRole, Terminology

log = logging.getLogger(__name__)
T = TypeVar("T")

PLANNED_ORDER_STATUSES = frozenset({"draft", "active", "on-hold"})
PLANNED_ORDER_INTENTS_EXCLUDED = frozenset({"proposal", "option"})
BOOKED_APPOINTMENT_STATUSES = frozenset({"booked", "arrived", "checked-in"})
BOOKING_STATUSES = frozenset({"proposed", "pending", "booked"})
"""The statuses of an Appointment being booked (the appointment-book context)."""
GIVEN_STATUSES = frozenset({"completed", "in-progress"})


def build_picture(
    index: ResourceIndex,
    drafts: Collection[Resource],
    under_review: Collection[str] | None,
    tz: tzinfo,
    terminology: Terminology = BUILT_IN,
) -> ClinicalPicture:
    """Extract facts from every resource of the call.

    `drafts` are the context's draftOrders; `under_review` the `Type/id`s the hook is about (None: all drafts).
    """
    # A draft without an id (some order-sign clients send them) is still checked, under a synthetic key that
    # no suggestion can act on.
    draft_keys = {
        id(r): ref_key(r) or f"{r.get('resourceType')}/#draft-{i + 1}" for i, r in enumerate(drafts)
    }

    def key_of(resource: Resource) -> str | None:
        return draft_keys.get(id(resource)) or ref_key(resource)

    draft_refs = set(draft_keys.values())
    reviewed = draft_refs if under_review is None else set(under_review)
    skipped = 0

    def guarded(fn: Callable[[Resource], T | None], resources: Iterable[Resource]) -> list[T]:
        nonlocal skipped
        out: list[T] = []
        for resource in resources:
            try:
                fact = fn(resource)
            except Exception as exc:  # one bad resource costs one fact
                skipped += 1
                log.warning(
                    "skipped malformed %s/%s: %s",
                    resource.get("resourceType"),
                    resource.get("id"),
                    type(exc).__name__,
                )
                continue
            if fact is not None:
                out.append(fact)
        return out

    term = terminology

    def order(resource: Resource) -> MedicationOrder | None:
        return _medication_order(resource, key_of(resource), index, draft_refs, reviewed, tz, term)

    def surgery_request(resource: Resource) -> Surgery | None:
        return _planned_service_request(resource, key_of(resource), reviewed, tz, term)

    def intervention(resource: Resource) -> list[Intervention] | None:
        return _interventions(resource, key_of(resource), reviewed, tz, term)

    orders = guarded(order, index.of_type("MedicationRequest"))
    administrations = guarded(
        lambda r: _administration(r, index, tz, term), index.of_type("MedicationAdministration")
    )

    surgery_requests = guarded(surgery_request, index.of_type("ServiceRequest"))
    procedures = guarded(lambda r: _procedure(r, tz, term), index.of_type("Procedure"))
    prepared = [s for s, is_done in procedures if not is_done]
    done = [s for s, is_done in procedures if is_done]
    bookings = guarded(
        lambda r: _booked_appointment(r, key_of(r), reviewed, index, tz, term), index.of_type("Appointment")
    )
    interventions = [
        i
        for found in guarded(intervention, [*index.of_type("ServiceRequest"), *index.of_type("Procedure")])
        for i in found
    ]
    interventions += [
        i
        for found in guarded(
            lambda r: _booked_interventions(r, key_of(r), reviewed, index, tz, term),
            index.of_type("Appointment"),
        )
        for i in found
    ]

    imaging = guarded(
        lambda r: _imaging(r, tz, term),
        [*index.of_type("ImagingStudy"), *index.of_type("DiagnosticReport"), *index.of_type("Procedure")],
    )

    # A booking carries the date of the order it is based on; the order itself then counts once, as booked.
    booked_orders = {based_on for _, based_on in bookings if based_on is not None}
    planned = [s for s in surgery_requests if s.ref not in booked_orders or s.under_review]
    planned += prepared + [s for s, _ in bookings]
    people = guarded(lambda r: demographics(r, tz), index.of_type("Patient"))
    # Most Observations of a chart (a lab history) are none of ours: their codes are read here, once, and only
    # the others are extracted.
    role_of = term.observations.in_concept
    ours: list[Resource] = []
    roles: dict[int, ObservationRole] = {}
    for resource in index.of_type("Observation"):
        role = role_of(resource.get("code"))
        if role is not None:
            ours.append(resource)
            roles[id(resource)] = role
    observed = guarded(lambda r: observation_fact(r, roles[id(r)], term, tz), ours)

    def read_measurement(found: MeasuredObservation) -> Measurement | None:
        """Values are read for the latest measurement of each measure only, under the same guard."""
        read = guarded(lambda _: measurement(found), [found.resource])
        return read[0] if read else None

    latest_measured = latest_per_measure(
        (o for o in observed if isinstance(o, MeasuredObservation)), read_measurement
    )
    conditions = guarded(lambda r: condition_fact(r, term, tz), index.of_type("Condition"))
    cancers = explaining_primaries([c for c in conditions if isinstance(c, CancerCondition)])
    scores = latest((o for o in observed if isinstance(o, Score)), lambda s: s.scale)
    afp = latest((o for o in observed if isinstance(o, MarkerResult)), lambda _: "afp")
    status = latest((o for o in observed if isinstance(o, StatusReport)), lambda _: "status")
    genes = [o for o in observed if isinstance(o, GeneResult)]
    return ClinicalPicture(
        medication_orders=tuple(orders),
        administrations=tuple(administrations),
        planned_surgeries=tuple(sorted(planned, key=lambda s: (s.on, s.ref))),
        completed_surgeries=tuple(sorted(done, key=lambda s: (s.on, s.ref))),
        demographics=people[0] if people else None,
        latest=latest_measured,
        cancer_conditions=cancers,
        metastases=tuple(sorted((c for c in conditions if isinstance(c, Metastasis)), key=lambda m: m.ref)),
        comorbidities=tuple(
            sorted((c for c in conditions if isinstance(c, ComorbidCondition)), key=lambda c: c.ref)
        ),
        risk_features=tuple(
            sorted([f for f in (*conditions, *observed) if isinstance(f, RiskFinding)], key=lambda f: f.ref)
        ),
        scores=tuple(scores[s] for s in sorted(scores)),
        afp=afp.get("afp"),
        disease_status=status.get("status"),
        gene_results=tuple(sorted(genes, key=lambda g: (g.gene, g.on or date.min, g.ref))),
        blood_pressure=latest_blood_pressure(o for o in observed if isinstance(o, BloodPressurePart)),
        interventions=tuple(sorted(interventions, key=lambda i: (i.ref, i.kind))),
        imaging=tuple(sorted(imaging, key=lambda e: (e.on, e.ref))),
        skipped_resources=skipped,
    )


def _drug(resource: Resource, index: ResourceIndex, terminology: Terminology) -> Drug | None:
    """The medicine's drug: the first coding of the CodeableConcept, then of the referenced (contained, bundled)
    Medication's code and ingredients, that a drug set holds. The reference is only followed when the
    CodeableConcept names no drug (resolving it cannot fail, so skipping it changes nothing)."""
    drug = terminology.drugs.in_concept(resource.get("medicationCodeableConcept"))
    if drug is not None:
        return drug
    medication = index.resolve(resource.get("medicationReference"), container=resource)
    if medication is None:
        return None
    pairs = codings_of(medication.get("code"))
    for ingredient in as_list(medication.get("ingredient")):
        if isinstance(ingredient, dict):
            pairs += codings_of(ingredient.get("itemCodeableConcept"))
    return terminology.drugs.first(pairs)


def _ocular(dosages: object, terminology: Terminology) -> bool:
    """Given into or onto the eye (intravitreal bevacizumab, for one): not the systemic therapy the rules speak
    of (catalog revision 2, "Systemic bevacizumab"). No route stated counts as systemic."""
    return any(
        isinstance(dosage, dict) and terminology.ocular_route.matches_any(codings_of(dosage.get("route")))
        for dosage in as_list(dosages)
    )


def _first_date(values: Iterable[object], tz: tzinfo) -> date | None:
    found = _dates(values, tz)
    return found[0] if found else None


def _get(obj: object, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _dates(values: Iterable[object], tz: tzinfo) -> list[date]:
    return sorted({d for d in (parse_fhir_date(v, tz) for v in values) if d is not None})


def _medication_order(
    resource: Resource,
    key: str | None,
    index: ResourceIndex,
    drafts: set[str],
    reviewed: set[str],
    tz: tzinfo,
    terminology: Terminology,
) -> MedicationOrder | None:
    """The order's schedule: explicit dose dates (timing events), its start (first event or bounds start, else
    the dispense validity start) and its course end (bounds end only: a dispense validity end says how long
    the prescription may be filled, not when the last dose is given). An order for a drug no rule knows is
    not read further."""
    if key is None:
        return None
    drug = _drug(resource, index, terminology)
    if drug is None or _ocular(resource.get("dosageInstruction"), terminology):
        return None
    events: list[object] = []
    starts: list[object] = []
    ends: list[object] = []
    for dosage in as_list(resource.get("dosageInstruction")):
        timing = _get(dosage, "timing")
        events += as_list(_get(timing, "event"))
        starts.append(_get(timing, "repeat", "boundsPeriod", "start"))
        ends.append(_get(timing, "repeat", "boundsPeriod", "end"))
    doses = _dates(events, tz)
    first = _dates([*doses, *starts], tz)
    start = (
        first[0]
        if first
        else parse_fhir_date(_get(resource, "dispenseRequest", "validityPeriod", "start"), tz)
    )
    end_dates = _dates(ends, tz)
    status = resource.get("status")
    return MedicationOrder(
        ref=key,
        drug=drug,
        status=status if isinstance(status, str) else None,
        start=start,
        doses=tuple(doses),
        end=end_dates[-1] if end_dates else None,
        authored=parse_fhir_date(resource.get("authoredOn"), tz),
        is_draft=key in drafts,
        under_review=key in reviewed,
        dose=ordered_dose(resource) if key in reviewed else None,  # only reviewed orders' doses are checked
        schedule=None if doses else read_repeat(as_list(resource.get("dosageInstruction")), tz),
    )


def _administration(
    resource: Resource, index: ResourceIndex, tz: tzinfo, terminology: Terminology
) -> Administration | None:
    key = ref_key(resource)
    if key is None or resource.get("status") not in GIVEN_STATUSES:
        return None
    drug = _drug(resource, index, terminology)
    if drug is None or _ocular(resource.get("dosage"), terminology):
        return None  # most administrations of a chart are of drugs no rule knows: not dated
    given = parse_fhir_date(resource.get("effectiveDateTime"), tz) or _first_date(
        [_get(resource, "effectivePeriod", "end"), _get(resource, "effectivePeriod", "start")], tz
    )
    if given is None:
        return None
    return Administration(ref=key, drug=drug, given_on=given)


def _is_surgical(resource: Resource, terminology: Terminology, *code_fields: str) -> tuple[bool, bool]:
    """(surgical, major): a surgical category, or a code of a surgical procedure (an order for a radical
    hysterectomy is a surgery whether or not its category says so, catalog revision 2)."""
    codes = [pair for f in code_fields for pair in codings_of(resource.get(f))]
    major = terminology.major_surgery.matches_any(codes)
    surgical = major or terminology.surgical_procedure.matches_any(codes)
    categorised = terminology.surgical_category.matches_any(codings_of(resource.get("category")))
    return surgical or categorised, major


def _surgery_name(resource: Resource, field: str = "code") -> str:
    return concept_text(resource.get(field)) or "surgical procedure"


def _planned_service_request(
    resource: Resource, key: str | None, reviewed: set[str], tz: tzinfo, terminology: Terminology
) -> Surgery | None:
    if key is None or resource.get("status") not in PLANNED_ORDER_STATUSES:
        return None
    if resource.get("intent") in PLANNED_ORDER_INTENTS_EXCLUDED:
        return None
    surgical, major = _is_surgical(resource, terminology, "code")
    if not surgical:
        return None
    on = _occurrence(resource, tz)
    if on is None:
        return None
    return Surgery(
        ref=key,
        name=_surgery_name(resource),
        on=on,
        major=major,
        under_review=key in reviewed,
    )


def _occurrence(resource: Resource, tz: tzinfo) -> date | None:
    """The requested date of a ServiceRequest (dateTime, period start, or first timing event)."""
    timing = resource.get("occurrenceTiming")
    return (
        parse_fhir_date(resource.get("occurrenceDateTime"), tz)
        or parse_fhir_date(_get(resource, "occurrencePeriod", "start"), tz)
        or _first_date([*as_list(_get(timing, "event")), _get(timing, "repeat", "boundsPeriod", "start")], tz)
    )


def _performed(resource: Resource, tz: tzinfo, done: bool) -> date | None:
    """When a Procedure was done (period end first) or is to start."""
    period = resource.get("performedPeriod")
    bounds = [_get(period, "end"), _get(period, "start")] if done else [_get(period, "start")]
    return parse_fhir_date(resource.get("performedDateTime"), tz) or next(
        (d for d in (parse_fhir_date(v, tz) for v in bounds) if d is not None), None
    )


def _procedure(resource: Resource, tz: tzinfo, terminology: Terminology) -> tuple[Surgery, bool] | None:
    """A surgical Procedure about to happen (preparation) or done (completed), and whether it is done."""
    key = ref_key(resource)
    status = resource.get("status")
    if key is None or status not in ("preparation", "completed"):
        return None
    surgical, major = _is_surgical(resource, terminology, "code")
    if not surgical:
        return None
    done = status == "completed"
    on = _performed(resource, tz, done=done)
    if on is None:
        return None
    return Surgery(ref=key, name=_surgery_name(resource), on=on, major=major), done


IMAGING_DONE_STATUSES = {
    "ImagingStudy": frozenset({"available"}),
    "DiagnosticReport": frozenset({"preliminary", "final", "amended", "corrected", "appended"}),
    "Procedure": frozenset({"completed"}),
}
"""The statuses that mean the examination was done (its images or report exist)."""


def _imaging(resource: Resource, tz: tzinfo, terminology: Terminology) -> ImagingExam | None:
    """A CT of the chest, abdomen and pelvis done: an ImagingStudy (its procedure code), a radiology
    DiagnosticReport or a Procedure (their code), dated by when it was done."""
    kind = resource.get("resourceType")
    key = ref_key(resource)
    if key is None or resource.get("status") not in IMAGING_DONE_STATUSES.get(str(kind), ()):
        return None
    field = "procedureCode" if kind == "ImagingStudy" else "code"
    if not terminology.ct_chest_abdomen_pelvis.matches_any(codings_of(resource.get(field))):
        return None
    when = (
        _first_date([resource.get("started")], tz)
        if kind == "ImagingStudy"
        else _first_date(
            [resource.get("effectiveDateTime"), resource.get("performedDateTime"), resource.get("issued")], tz
        )
    )
    if when is None:
        return None
    return ImagingExam(key, concept_text(resource.get(field)) or "CT chest, abdomen and pelvis", when)


APPOINTMENT_CODE_FIELDS = ("serviceType", "appointmentType", "reasonCode")
"""Where an Appointment may code the procedure it is for."""


def _booking_start(resource: Resource, key: str | None, reviewed: set[str], tz: tzinfo) -> date | None:
    """The day of an Appointment that is booked, or being booked in this call (proposed and pending too). An
    Appointment being booked without a start is checked against nothing, and the log says so (by its id)."""
    if key is None:
        return None
    under_review = key in reviewed
    if resource.get("status") not in (BOOKING_STATUSES if under_review else BOOKED_APPOINTMENT_STATUSES):
        return None
    on = parse_fhir_date(resource.get("start"), tz)
    if on is None and under_review:
        log.info("%s being booked has no start: checked against nothing", key)
    return on


def _appointment_subjects(resource: Resource, index: ResourceIndex) -> list[tuple[Resource, str]]:
    """What an Appointment is for, with the field its code is in: the orders it is based on, the procedures or
    orders it gives as its reason (as found in the request, the prefetch or fetched), then itself."""
    subjects = []
    for reference in [*as_list(resource.get("basedOn")), *as_list(resource.get("reasonReference"))]:
        target = index.resolve(reference)
        if target is not None and target.get("resourceType") in ("ServiceRequest", "Procedure"):
            subjects.append((target, "code"))
    return subjects


def _booked_appointment(
    resource: Resource,
    key: str | None,
    reviewed: set[str],
    index: ResourceIndex,
    tz: tzinfo,
    terminology: Terminology,
) -> tuple[Surgery, str | None] | None:
    """A surgery appointment: based on (or for the reason of) a surgical order or procedure, or coded as a
    surgical procedure itself; with the order it is based on, whose date it replaces."""
    on = _booking_start(resource, key, reviewed, tz)
    if key is None or on is None:
        return None
    under_review = key in reviewed
    for subject, field in _appointment_subjects(resource, index):
        surgical, major = _is_surgical(subject, terminology, field)
        if surgical:
            surgery = Surgery(key, _surgery_name(subject, field), on, major, under_review)
            return surgery, ref_key(subject) if subject.get("resourceType") == "ServiceRequest" else None
    surgical, major = _is_surgical(resource, terminology, *APPOINTMENT_CODE_FIELDS)
    if not surgical:
        return None
    name = next(
        (n for f in APPOINTMENT_CODE_FIELDS if (n := concept_text(_first(resource.get(f))))),
        "surgical procedure",
    )
    return Surgery(key, name, on, major, under_review), None


def _first(value: object) -> object:
    """The first element of a FHIR array (or the value itself when a client sent a single object)."""
    items = as_list(value)
    return items[0] if items else None


def _booked_interventions(
    resource: Resource,
    key: str | None,
    reviewed: set[str],
    index: ResourceIndex,
    tz: tzinfo,
    terminology: Terminology,
) -> list[Intervention] | None:
    """CRS, HIPEC and PIPAC being booked in this call: named by the order or procedure the Appointment is for,
    or by its own codes; under review, as an order of an order hook is."""
    if key is None or key not in reviewed or resource.get("status") not in BOOKING_STATUSES:
        return None
    on = parse_fhir_date(resource.get("start"), tz)
    for subject, field in [
        *_appointment_subjects(resource, index),
        *((resource, f) for f in APPOINTMENT_CODE_FIELDS),
    ]:
        codings = codings_of(subject.get(field))
        kinds = terminology.interventions.all(codings)
        if kinds:
            drugs = set(terminology.drugs.all(codings_of(subject.get("orderDetail"))))
            if terminology.oxaliplatin_hipec.matches_any(codings):
                drugs.add(Drug.OXALIPLATIN)
            name = concept_text(_first(subject.get(field))) or "procedure"
            return [
                Intervention(key, kind, name, False, on, under_review=True, drugs=frozenset(drugs))
                for kind in kinds
            ]
    return None


PLANNED_PROCEDURE_STATUSES = frozenset({"preparation", "in-progress"})


def _interventions(
    resource: Resource, key: str | None, reviewed: set[str], tz: tzinfo, terminology: Terminology
) -> list[Intervention] | None:
    """CRS, HIPEC and PIPAC named by an order (planned) or a procedure (done or about to be): one fact per
    kind, as one order may name CRS and HIPEC together. HIPEC drugs come from the code (oxaliplatin HIPEC)
    or the order details."""
    if key is None:
        return None
    codings = codings_of(resource.get("code"))
    kinds = terminology.interventions.all(codings)
    if not kinds:
        return None
    status = resource.get("status")
    if resource.get("resourceType") == "ServiceRequest":
        if status not in PLANNED_ORDER_STATUSES or resource.get("intent") in PLANNED_ORDER_INTENTS_EXCLUDED:
            return None
        done, on = False, _occurrence(resource, tz)
    elif status == "completed" or status in PLANNED_PROCEDURE_STATUSES:
        done, on = status == "completed", _performed(resource, tz, done=status == "completed")
    else:
        return None
    drugs = set(terminology.drugs.all(codings_of(resource.get("orderDetail"))))
    if terminology.oxaliplatin_hipec.matches_any(codings):
        drugs.add(Drug.OXALIPLATIN)
    name = concept_text(resource.get("code")) or "procedure"
    return [
        Intervention(key, kind, name, done, on, under_review=key in reviewed, drugs=frozenset(drugs))
        for kind in kinds
    ]


def explaining_primaries(cancers: list[CancerCondition]) -> tuple[CancerCondition, ...]:
    """The active primaries when any is on record, else every other one (resolved, in remission, history):
    a breast cancer resolved years ago does not explain new peritoneal disease beside an active colon cancer."""
    active = [c for c in cancers if c.active]
    return tuple(sorted(active or cancers, key=lambda c: c.ref))

"""The clinical picture: small frozen facts that rules read. No FHIR objects, no raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Fact(StrEnum):
    """What a rule may require; each is extracted from known FHIR queries (see `fhir_mappings.queries`)."""

    DRAFT_ORDERS = "draft-orders"
    MEDICATION_HISTORY = "medication-history"
    PLANNED_SURGERY = "planned-surgery"
    COMPLETED_SURGERY = "completed-surgery"
    DEMOGRAPHICS = "demographics"
    BODY_MEASUREMENTS = "body-measurements"
    PRIMARY_CANCER = "primary-cancer"


class Drug(StrEnum):
    """Medicines the rules reason about, matched on ingredient (biosimilars included)."""

    BEVACIZUMAB = "bevacizumab"
    RAMUCIRUMAB = "ramucirumab"
    ZIV_AFLIBERCEPT = "ziv-aflibercept"
    CARBOPLATIN = "carboplatin"
    CISPLATIN = "cisplatin"
    PACLITAXEL = "paclitaxel"


class Cancer(StrEnum):
    """Primary cancers the rules distinguish."""

    CERVICAL = "cervical"


class Measure(StrEnum):
    """Measurements the dose formulas use, each in one canonical unit."""

    WEIGHT = "kg"
    HEIGHT = "cm"
    SERUM_CREATININE = "mg/dL"
    CREATININE_CLEARANCE = "mL/min"


class DoseUnit(StrEnum):
    MG = "mg"
    MG_PER_M2 = "mg/m2"
    MG_PER_KG = "mg/kg"
    AUC = "mg/mL·min"


@dataclass(frozen=True, slots=True)
class OrderedDose:
    """The dose an order states: its amount in one of the units the checks understand."""

    amount: float
    unit: DoseUnit
    text: str
    """As written on the order (value and unit), for the card."""
    infusion_hours: float | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """The latest observation of a measure. `value` is in the measure's canonical unit, None when its unit
    is unknown; `text` is the value as recorded."""

    measure: Measure
    value: float | None
    text: str
    on: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class Demographics:
    birth_date: date | None
    sex: str | None
    """FHIR administrative gender as recorded (female, male, other, unknown)."""


@dataclass(frozen=True, slots=True)
class MedicationOrder:
    """A MedicationRequest, from the record or a draft of this hook call."""

    ref: str
    drug: Drug | None
    status: str | None
    start: date | None
    """Intended first administration, as stated by the order (first event, bounds or validity start)."""
    doses: tuple[date, ...]
    """Explicit administration dates (timing events), sorted; empty for a repeating schedule."""
    end: date | None
    """End of the course (timing bounds end), when the order states one."""
    authored: date | None
    is_draft: bool
    under_review: bool
    dose: OrderedDose | None = None
    """The dose of its first dosage instruction, when it can be read (read for orders under review only)."""
    """True for the drafts this hook call is about (order-select: the selections; order-sign: all drafts)."""


@dataclass(frozen=True, slots=True)
class Administration:
    """A dose given (MedicationAdministration completed or in progress)."""

    ref: str
    drug: Drug
    given_on: date


@dataclass(frozen=True, slots=True)
class Surgery:
    """A surgical procedure with its date: planned (order, preparation, booking) or done."""

    ref: str
    name: str
    on: date
    major: bool
    under_review: bool = False


@dataclass(frozen=True)
class ClinicalPicture:
    """Everything the rules know about the patient for one hook call, built once."""

    medication_orders: tuple[MedicationOrder, ...] = ()
    administrations: tuple[Administration, ...] = ()
    planned_surgeries: tuple[Surgery, ...] = ()
    completed_surgeries: tuple[Surgery, ...] = ()
    demographics: Demographics | None = None
    latest: tuple[Measurement, ...] = ()
    """The latest measurement of each measure on record (at most one per measure)."""
    primary_cancers: frozenset[Cancer] = frozenset()
    skipped_resources: int = 0

    def measurement(self, measure: Measure) -> Measurement | None:
        return next((m for m in self.latest if m.measure is measure), None)

    def orders_under_review(self, *drugs: Drug) -> tuple[MedicationOrder, ...]:
        return tuple(o for o in self.medication_orders if o.under_review and o.drug in drugs)

    def surgery_orders_under_review(self) -> tuple[Surgery, ...]:
        return tuple(s for s in self.planned_surgeries if s.under_review)

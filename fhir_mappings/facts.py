"""The clinical picture: small frozen facts that rules read. No FHIR objects, no raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

from fhir_mappings.schedule import RepeatSchedule, expand


class Fact(StrEnum):
    """What a rule may require; each is extracted from known FHIR queries (see `fhir_mappings.queries`)."""

    DRAFT_ORDERS = "draft-orders"
    MEDICATION_HISTORY = "medication-history"
    PLANNED_SURGERY = "planned-surgery"
    COMPLETED_SURGERY = "completed-surgery"
    DEMOGRAPHICS = "demographics"
    BODY_MEASUREMENTS = "body-measurements"
    PRIMARY_CANCER = "primary-cancer"
    METASTASES = "metastases"
    COMORBIDITIES = "comorbidities"
    """Active venous thromboembolism and fistula conditions."""
    TUMOR_RISK_FEATURES = "tumor-risk-features"
    """T4 primary tumour, tumour perforation."""
    PERFORMANCE_STATUS = "performance-status"
    TUMOR_MARKERS = "tumor-markers"
    DISEASE_STATUS = "disease-status"
    MOLECULAR_RESULTS = "molecular-results"
    BLOOD_PRESSURE = "blood-pressure"
    PERITONEAL_SCORES = "peritoneal-scores"
    """Peritoneal cancer index and completeness-of-cytoreduction score."""
    INTERVENTIONS = "interventions"
    """Cytoreductive surgery, HIPEC and PIPAC, ordered or done."""
    IMAGING = "imaging"
    """CT of the chest, abdomen and pelvis done: as an imaging study, a radiology report or a procedure."""


class Drug(StrEnum):
    """Medicines the rules reason about, matched on ingredient (biosimilars included)."""

    BEVACIZUMAB = "bevacizumab"
    RAMUCIRUMAB = "ramucirumab"
    ZIV_AFLIBERCEPT = "ziv-aflibercept"
    CARBOPLATIN = "carboplatin"
    CISPLATIN = "cisplatin"
    PACLITAXEL = "paclitaxel"
    OXALIPLATIN = "oxaliplatin"
    GEMCITABINE = "gemcitabine"
    FLUOROURACIL = "fluorouracil"
    CAPECITABINE = "capecitabine"
    IRINOTECAN = "irinotecan"
    TOPOTECAN = "topotecan"
    MITOMYCIN = "mitomycin"
    SORAFENIB = "sorafenib"
    LENVATINIB = "lenvatinib"
    REGORAFENIB = "regorafenib"
    GEFITINIB = "gefitinib"
    ERLOTINIB = "erlotinib"
    OSIMERTINIB = "osimertinib"
    DACOMITINIB = "dacomitinib"
    ALECTINIB = "alectinib"
    CRIZOTINIB = "crizotinib"
    BRIGATINIB = "brigatinib"
    LORLATINIB = "lorlatinib"
    CERITINIB = "ceritinib"
    ENTRECTINIB = "entrectinib"
    CETUXIMAB = "cetuximab"
    PANITUMUMAB = "panitumumab"
    ATEZOLIZUMAB = "atezolizumab"
    PEMBROLIZUMAB = "pembrolizumab"
    CEMIPLIMAB = "cemiplimab"


class DrugClass(StrEnum):
    """Classes of systemic therapy that guideline statements name."""

    PLATINUM = "platinum"
    ANTI_VEGF = "anti-VEGF"
    IMMUNOTHERAPY = "immunotherapy"
    TKI = "tyrosine kinase inhibitor"
    TARGETED = "targeted therapy"
    """Therapies aimed at a driver pathway (tyrosine kinase inhibitors, anti-EGFR antibodies)."""


DRUG_CLASSES: dict[Drug, frozenset[DrugClass]] = {
    Drug.BEVACIZUMAB: frozenset({DrugClass.ANTI_VEGF}),
    Drug.RAMUCIRUMAB: frozenset({DrugClass.ANTI_VEGF}),
    Drug.ZIV_AFLIBERCEPT: frozenset({DrugClass.ANTI_VEGF}),
    Drug.CARBOPLATIN: frozenset({DrugClass.PLATINUM}),
    Drug.CISPLATIN: frozenset({DrugClass.PLATINUM}),
    Drug.OXALIPLATIN: frozenset({DrugClass.PLATINUM}),
    Drug.SORAFENIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.LENVATINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.REGORAFENIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.GEFITINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.ERLOTINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.OSIMERTINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.DACOMITINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.ALECTINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.CRIZOTINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.BRIGATINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.LORLATINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.CERITINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.ENTRECTINIB: frozenset({DrugClass.TKI, DrugClass.TARGETED}),
    Drug.CETUXIMAB: frozenset({DrugClass.TARGETED}),
    Drug.PANITUMUMAB: frozenset({DrugClass.TARGETED}),
    Drug.ATEZOLIZUMAB: frozenset({DrugClass.IMMUNOTHERAPY}),
    Drug.PEMBROLIZUMAB: frozenset({DrugClass.IMMUNOTHERAPY}),
    Drug.CEMIPLIMAB: frozenset({DrugClass.IMMUNOTHERAPY}),
}
"""Pharmacological classes (not codes): sorafenib, lenvatinib and regorafenib are the kinase inhibitors of
HCC-LUNG-PM l.6-8 and l.16; the EGFR (gefitinib, erlotinib, osimertinib, dacomitinib) and ALK/ROS1 (alectinib,
crizotinib, brigatinib, lorlatinib, ceritinib, entrectinib) kinase inhibitors and the anti-EGFR antibodies
(cetuximab, panitumumab) are targeted therapies; atezolizumab, pembrolizumab and cemiplimab are immune checkpoint
inhibitors."""


class Cancer(StrEnum):
    """Primary cancers the rules distinguish; OTHER is any other malignant primary (gastric, for example)."""

    COLORECTAL = "colorectal"
    APPENDICEAL = "appendiceal"
    OVARIAN = "ovarian"
    HCC = "hepatocellular"
    LUNG = "lung"
    CERVICAL = "cervical"
    BREAST = "breast"
    OTHER = "other"


class MetastaticSite(StrEnum):
    """Where a secondary neoplasm is. Peritoneum (retroperitoneum included) and omentum are peritoneal metastasis
    (catalog, "PM"); each organ named here is one site however it is coded; OTHER sites are told apart by code."""

    PERITONEUM = "peritoneum"
    OMENTUM = "omentum"
    LIVER = "liver"
    LUNG = "lung"
    PLEURA = "pleura"
    BONE = "bone"
    BRAIN = "brain"
    LYMPH_NODES = "lymph nodes"
    ADRENAL = "adrenal gland"
    OVARY = "ovary"
    OTHER = "other"

    @property
    def peritoneal(self) -> bool:
        return self in (MetastaticSite.PERITONEUM, MetastaticSite.OMENTUM)


class Comorbidity(StrEnum):
    VTE = "venous thromboembolism"
    FISTULA = "fistula"


class RiskFeature(StrEnum):
    T4 = "T4 primary tumour"
    PERFORATION = "tumour perforation"


class Scale(StrEnum):
    """Scored observations: performance status and the peritoneal surgery scores."""

    ECOG = "ECOG"
    KARNOFSKY = "Karnofsky"
    PCI = "PCI"
    CCR = "CCR"


SCALE_RANGES: dict[Scale, tuple[int, int]] = {
    Scale.ECOG: (0, 5),
    Scale.KARNOFSKY: (0, 100),
    Scale.PCI: (0, 39),
    Scale.CCR: (0, 3),
}
"""The defined range of each scale; a value outside it is not a score."""


class Trend(StrEnum):
    """Cancer disease status (mCODE, LOINC 97509-4)."""

    PROGRESSION = "progression"
    RESPONSE = "response"
    STABLE = "stable"
    UNDETERMINED = "undetermined"


class Gene(StrEnum):
    EGFR = "EGFR"
    ALK = "ALK"
    ROS1 = "ROS1"
    KRAS = "KRAS"


class Orderable(StrEnum):
    """Tests a card may propose to order (a create action); their codes live in the value sets."""

    AFP_TEST = "AFP test"
    LUNG_MOLECULAR_TESTING = "EGFR, ALK, ROS1 and KRAS testing"


class InterventionKind(StrEnum):
    CRS = "cytoreductive surgery"
    HIPEC = "HIPEC"
    PIPAC = "PIPAC"


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
    drug: Drug
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
    schedule: RepeatSchedule | None = None
    """Its repeat (every period, up to a count or bounds), when it states one and no explicit dose dates."""

    def course(self, today: date) -> tuple[date, ...]:
        """Every administration the order implies (catalog revision 2, "Doses of a course"): its dose dates;
        else its repeat from the start (or today); else its start (or today). A course on hold, completed or
        stopped has no future doses; a cancelled or mistaken one none."""
        if self.status in NO_DOSE_STATUSES:
            return ()
        if self.doses:
            dates = self.doses
        elif self.schedule is not None:
            dates = expand(self.schedule, self.start or today, today)
        else:
            dates = (self.start or today,)
        if self.is_draft or self.status in FUTURE_DOSE_STATUSES:
            return dates
        return tuple(d for d in dates if d < today)


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


@dataclass(frozen=True, slots=True)
class CancerCondition:
    """A primary cancer on record: a cancer condition, or a personal history of one (its type is known)."""

    ref: str
    cancer: Cancer
    name: str
    recurrent: bool
    """clinicalStatus recurrence/relapse, or a local-recurrence code."""
    recorded: date | None = None
    """When the condition began or was recorded (onset, else recorded date)."""
    histology: str | None = None
    """A histology a statement is about ("adenosquamous"), when the code says it."""
    active: bool = True
    """False for a history code (ICD-10-CM Z85, SNOMED CT "history of") or a clinicalStatus of inactive,
    remission or resolved: an active primary outranks such a one (catalog revision 2, "Primary")."""
    recurrence_coded: bool = False
    """The code itself is a local recurrence, so `recorded` dates the recurrence. Recurrence by clinicalStatus
    alone leaves `recorded` at the first diagnosis, as problem lists keep it when the status changes."""


@dataclass(frozen=True, slots=True)
class Metastasis:
    """An active secondary malignant neoplasm. `site_key` tells sites apart for counting: every peritoneal or
    omental code is one site, 'peritoneum'; every code of a named organ is that organ."""

    ref: str
    site: MetastaticSite
    site_key: str
    name: str
    recorded: date | None = None
    """When the metastasis began or was recorded (onset, else recorded date)."""

    @property
    def peritoneal(self) -> bool:
        return self.site.peritoneal


@dataclass(frozen=True, slots=True)
class ComorbidCondition:
    ref: str
    kind: Comorbidity
    name: str
    recorded: date | None


@dataclass(frozen=True, slots=True)
class RiskFinding:
    ref: str
    feature: RiskFeature
    name: str


@dataclass(frozen=True, slots=True)
class Score:
    """The latest value of a scale (within its range), with its date."""

    scale: Scale
    value: int
    on: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class MarkerResult:
    """The latest AFP result. `normalised` is True within the upper reference limit (or interpreted normal),
    False above it, None when neither the reference range nor an interpretation says."""

    ref: str
    text: str
    on: date | None
    normalised: bool | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    ref: str
    trend: Trend
    on: date | None


@dataclass(frozen=True, slots=True)
class GeneResult:
    """A molecular result for a gene. `mutated` None: the result does not say whether a variant was found."""

    ref: str
    gene: Gene
    mutated: bool | None
    variant: str | None
    on: date | None


@dataclass(frozen=True, slots=True)
class BloodPressure:
    ref: str
    systolic: float | None
    diastolic: float | None
    on: date


@dataclass(frozen=True, slots=True)
class Intervention:
    """A CRS, HIPEC or PIPAC order (planned) or procedure (done)."""

    ref: str
    kind: InterventionKind
    name: str
    done: bool
    on: date | None
    under_review: bool = False
    drugs: frozenset[Drug] = frozenset()
    """Drugs the order or procedure names (e.g. oxaliplatin for HIPEC)."""


@dataclass(frozen=True, slots=True)
class ImagingExam:
    """An imaging examination done (a study, a final radiology report or a completed procedure)."""

    ref: str
    name: str
    on: date


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
    cancer_conditions: tuple[CancerCondition, ...] = ()
    """The primaries that explain the chart's disease: the active ones when any is on record, else the resolved,
    in-remission and historical ones (catalog revision 2, "Primary")."""
    metastases: tuple[Metastasis, ...] = ()
    comorbidities: tuple[ComorbidCondition, ...] = ()
    risk_features: tuple[RiskFinding, ...] = ()
    scores: tuple[Score, ...] = ()
    """The latest score of each scale on record."""
    afp: MarkerResult | None = None
    disease_status: StatusReport | None = None
    """The latest cancer disease status."""
    gene_results: tuple[GeneResult, ...] = ()
    blood_pressure: BloodPressure | None = None
    """The latest dated blood-pressure reading."""
    interventions: tuple[Intervention, ...] = ()
    imaging: tuple[ImagingExam, ...] = ()
    """CT chest/abdomen/pelvis on record, oldest first."""
    skipped_resources: int = 0

    def measurement(self, measure: Measure) -> Measurement | None:
        return next((m for m in self.latest if m.measure is measure), None)

    def orders_under_review(self, *drugs: Drug) -> tuple[MedicationOrder, ...]:
        return tuple(o for o in self.medication_orders if o.under_review and o.drug in drugs)

    def surgery_orders_under_review(self) -> tuple[Surgery, ...]:
        return tuple(s for s in self.planned_surgeries if s.under_review)

    # Derived once per picture: every rule of a call asks for them (a dozen times each).
    @cached_property
    def primary_cancers(self) -> frozenset[Cancer]:
        return frozenset(c.cancer for c in self.cancer_conditions)

    @cached_property
    def peritoneal_metastases(self) -> tuple[Metastasis, ...]:
        """The metastases of the peritoneum or omentum."""
        return tuple(m for m in self.metastases if m.peritoneal)

    @cached_property
    def has_peritoneal_metastasis(self) -> bool:
        return bool(self.peritoneal_metastases)

    @property
    def metastatic_site_count(self) -> int:
        return len({m.site_key for m in self.metastases})

    def score(self, scale: Scale) -> Score | None:
        return next((s for s in self.scores if s.scale is scale), None)

    def therapy_history(self) -> tuple[Drug, ...]:
        """Anticancer drugs given or prescribed before this call (not the drafts under review), in Drug order."""
        seen = {a.drug for a in self.administrations}
        seen |= {
            o.drug for o in self.medication_orders if not o.is_draft and o.status in THERAPY_ORDER_STATUSES
        }
        return tuple(d for d in Drug if d in seen)

    def had_class(self, drug_class: DrugClass) -> bool:
        return any(drug_class in DRUG_CLASSES.get(d, frozenset()) for d in self.therapy_history())

    def drafts_of(self, *drugs: Drug) -> tuple[MedicationOrder, ...]:
        """Every draft of this call (under review or context) for one of `drugs`."""
        return tuple(o for o in self.medication_orders if o.is_draft and o.drug in drugs)

    def interventions_under_review(self, *kinds: InterventionKind) -> tuple[Intervention, ...]:
        return tuple(i for i in self.interventions if i.under_review and i.kind in kinds)


THERAPY_ORDER_STATUSES = frozenset({"active", "on-hold", "completed", "stopped"})
FUTURE_DOSE_STATUSES = frozenset({"draft", "active"})
"""MedicationRequest statuses whose scheduled doses still lie ahead."""
NO_DOSE_STATUSES = frozenset({"cancelled", "entered-in-error"})
"""MedicationRequest statuses that mean the therapy was prescribed for real (not draft, cancelled or in error)."""

"""Recurrent cervical cancer with omental (peritoneal) metastasis: first- and second-line systemic therapy,
platinum choice, performance status and the surgical option for isolated omental disease (catalog §3).

The source is a document on RECURRENT cervical cancer with omental metastases. The first-line, follow-up and
resection cards therefore need recurrence on record (clinicalStatus recurrence/relapse or a local-recurrence code);
without it PM-GENERAL gives the general guidance. The order cards (bevacizumab with poor performance status,
carboplatin without prior cisplatin) need a cervical primary, as the dose checks of the same regimen do.

Revision 2 of the catalog: therapy is placed against the recurrence. The recurrence is dated by the recurrent
primary's record (`CancerCondition.recorded`: its onset, else its recorded date); a drug given or prescribed
before that day was given before the recurrence (platinum given with radiation for the primary is prior platinum
exposure, not first-line therapy for the recurrent disease), one given on or after it is therapy for the recurrent
disease. Where the recurrence or the therapy has no date, nothing can be shown to precede the recurrence, so the
therapy is read as therapy for the recurrent disease (the reading of revision 1). A problem list that says
recurrence by clinicalStatus alone keeps the first diagnosis's date on the record, and the chemoradiation for the
primary falls after it; so for platinum there (the drug of chemoradiation) the recurrence is dated by the first
peritoneal or omental metastasis recorded after the record (`Recurrence`), and the card says which day it used.
CERV-FOLLOWUP (new) asks for the imaging the source sets during systemic therapy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cds_service.engine.statements import Statement
from cds_service.engine.types import (
    ORDER_HOOKS,
    VIEW_HOOKS,
    Finding,
    HookContext,
    Indicator,
    rule,
)
from fhir_mappings.facts import (
    DRUG_CLASSES,
    THERAPY_ORDER_STATUSES,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    DrugClass,
    Fact,
    MedicationOrder,
    MetastaticSite,
    Scale,
    Score,
    Trend,
)
from hooks.rules.chart import (
    add_months,
    chart_lines,
    drugs_of_class,
    primary,
    primary_line,
    score_text,
    with_pm,
)
from hooks.rules.pathways import metastatic_sites
from hooks.rules.wording import day, guideline, md, short
from hooks.statements.cervical import (
    ALTERNATIVE_REGIMEN,
    BEVACIZUMAB_DOSE,
    CARBOPLATIN_AUC,
    CISPLATIN_DOSE,
    CISPLATIN_NAIVE,
    FOLLOW_UP_EXAMINATION,
    FOLLOW_UP_IMAGING,
    FOLLOW_UP_TOXICITY,
    OMENTAL_RESECTION,
    OTHER_REGIMENS,
    PACLITAXEL_WITH_CARBOPLATIN,
    PACLITAXEL_WITH_CISPLATIN,
    PERFORMANCE_STATUS,
    PLATINUM_PRETREATED,
    PREFERRED_REGIMEN,
    PREFERRED_REGIMEN_SURVIVAL,
    SECOND_LINE,
)

VERSION = "1.1.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""

FIRST_LINE_DRUGS = (Drug.CISPLATIN, Drug.CARBOPLATIN, Drug.PACLITAXEL, Drug.BEVACIZUMAB)
"""Every first-line regimen of the source (preferred and other recommended) is built from cisplatin or
carboplatin, paclitaxel and bevacizumab: any of them on record means first-line therapy started."""

GOOD_PERFORMANCE = f"ECOG {PERFORMANCE_STATUS.param('good_from')}-{PERFORMANCE_STATUS.param('good_to')}"
"""Good performance status as the source bounds it, as a card says it."""
POOR_PERFORMANCE_FROM = int(PERFORMANCE_STATUS["good_to"]) + 1
"""The source does not grade 'poor' performance status: this service reads any ECOG above its good range as
poor."""
ECOG_READING_NOTE = (
    f"The source does not grade 'poor' performance status; this service reads it as ECOG {POOR_PERFORMANCE_FROM} "
    "or more."
)


def said_together(*statements: Statement) -> str:
    """Statements said together, each with its evidence grade, and the sections they rest on named once."""
    texts = []
    for statement in statements:
        text = statement.text()
        if statement.grade:
            text = f"{text.removesuffix('.')} ({statement.grade})."
        texts.append(text)
    sections = dict.fromkeys(s.section for s in statements)
    return f"{' '.join(texts)} ({'; '.join(sections)})"


def order_line(drug: str, order: MedicationOrder) -> str:
    """An order under review as a clinician names it: the drug, and its start when the order states one."""
    start = f", starting {day(order.start)}" if order.start else ""
    return f"- **{drug} order** under review{start}."


def recurrent_cervical_with_pm(picture: ClinicalPicture) -> CancerCondition | None:
    """The first recurrent cervical primary on record, when the chart has peritoneal or omental metastasis."""
    if with_pm(picture, Cancer.CERVICAL) is None:
        return None
    return next((c for c in picture.cancer_conditions if c.cancer is Cancer.CERVICAL and c.recurrent), None)


def first_line_on_record(picture: ClinicalPicture) -> tuple[Drug, ...]:
    return tuple(d for d in picture.therapy_history() if d in FIRST_LINE_DRUGS)


def good_performance(ecog: Score) -> bool:
    return ecog.value <= PERFORMANCE_STATUS["good_to"]


def _ecog_line(ecog: Score | None) -> str:
    if ecog is None:
        return (
            "- Performance status: ECOG not on record; record it, as it bears on the choice between a bevacizumab "
            "combination and single-agent therapy or dose modification."
        )
    if good_performance(ecog):
        verdict = "good performance status: combination therapy with bevacizumab is preferred"
    else:
        verdict = "poor performance status: consider single-agent therapy or dose modifications"
    return f"- Performance status: {score_text(ecog, Scale.ECOG)}; {verdict}."


PREFERRED = (PREFERRED_REGIMEN, CISPLATIN_DOSE, PACLITAXEL_WITH_CISPLATIN, PREFERRED_REGIMEN_SURVIVAL)
ALTERNATIVES = (
    ALTERNATIVE_REGIMEN,
    CARBOPLATIN_AUC,
    PACLITAXEL_WITH_CARBOPLATIN,
    BEVACIZUMAB_DOSE,
    OTHER_REGIMENS,
)
SUMMARY_LIMIT = 140
"""A card summary stays under this many characters (CDS Hooks)."""
CURRENT_ORDER_STATUSES = frozenset({"active", "on-hold"})
"""Order statuses of a course the patient is on (on hold: paused, not ended)."""


@dataclass(frozen=True, slots=True)
class TherapyRecord:
    """A drug given (an administration) or prescribed (an order that is not a draft of this call), with the day
    it is dated by (the administration's day; the order's start, else the day it was written), whether it is
    an order the patient is on now, and whether it is a dose given."""

    drug: Drug
    on: date | None
    current: bool
    administered: bool = False


def therapy_records(picture: ClinicalPicture) -> tuple[TherapyRecord, ...]:
    """Every anticancer drug given or prescribed before this call, as `ClinicalPicture.therapy_history` counts
    them (cancelled and mistaken orders and this call's drafts left out), each with its date."""
    given = [TherapyRecord(a.drug, a.given_on, False, administered=True) for a in picture.administrations]
    ordered = [
        TherapyRecord(o.drug, o.start or o.authored, o.status in CURRENT_ORDER_STATUSES)
        for o in picture.medication_orders
        if not o.is_draft and o.status in THERAPY_ORDER_STATUSES
    ]
    return (*given, *ordered)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The days therapy is placed against: the recurrent primary's record, and for platinum the first peritoneal
    or omental metastasis recorded after a record that says recurrence by clinicalStatus alone (the record's day
    otherwise). Other drugs keep the record's day: a paclitaxel course begun before the metastasis was recorded
    may well be for the recurrent disease, so it is never read as earlier therapy on that ground."""

    recorded: date | None
    platinum_from: date | None

    @classmethod
    def of(cls, picture: ClinicalPicture, condition: CancerCondition) -> Recurrence:
        first = condition.recorded
        if first is None or condition.recurrence_coded:
            return cls(first, first)
        later = [
            m.recorded for m in picture.peritoneal_metastases if m.recorded is not None and m.recorded > first
        ]
        return cls(first, min(later, default=first))

    def before(self, record: TherapyRecord) -> bool:
        """True when the record is dated before the recurrence: a record dated on that day or later is therapy for
        the recurrent disease; so is any record when the recurrence or the record has no date, as nothing shows
        it came first."""
        cutoff = self.platinum_from if is_platinum(record.drug) else self.recorded
        return cutoff is not None and record.on is not None and record.on < cutoff

    def words(self) -> str:
        """How the card dates the recurrence, so that a clinician can check it against the chart."""
        if self.recorded is None:
            return "the recurrent primary's record is undated, so no therapy is read as before the recurrence"
        said = f"the recurrent primary's record is dated {day(self.recorded)}"
        if self.platinum_from is not None and self.platinum_from != self.recorded:
            said += (
                f"; platinum is placed against the first peritoneal/omental metastasis, recorded "
                f"{day(self.platinum_from)}"
            )
        return said


def is_platinum(drug: Drug) -> bool:
    return DrugClass.PLATINUM in DRUG_CLASSES.get(drug, frozenset())


def _drug_dates(records: list[TherapyRecord]) -> str:
    """Each drug once, in Drug order, with the first day it is dated by ("cisplatin on 2021-03-01")."""
    parts = []
    for drug in Drug:
        of_drug = [r for r in records if r.drug is drug]
        if of_drug:
            dated = sorted(r.on for r in of_drug if r.on is not None)
            parts.append(f"{drug.value} on {day(dated[0])}" if dated else f"{drug.value} (undated)")
    return ", ".join(parts)


def prior_platinum(picture: ClinicalPicture, recurrence: Recurrence) -> list[TherapyRecord]:
    """The platinum given or prescribed before the recurrence: prior platinum exposure (catalog revision 2)."""
    return [r for r in therapy_records(picture) if is_platinum(r.drug) and recurrence.before(r)]


def _fitted(*candidates: str) -> str:
    """The first candidate summary under the limit (the last one, the shortest, otherwise)."""
    return next((c for c in candidates if len(c) < SUMMARY_LIMIT), candidates[-1])


def _first_line_summary(ecog: Score | None, platinum: list[TherapyRecord]) -> str:
    lead = "Recurrent cervical cancer + PM, no first-line therapy"
    if ecog is not None and not good_performance(ecog):
        return f"{lead}, ECOG {ecog.value}: consider single-agent therapy or dose modification"
    status = f"ECOG {ecog.value}" if ecog else "ECOG not on record"
    if not platinum:
        if ecog is None:
            return f"{lead}: paclitaxel-cisplatin-bevacizumab preferred; ECOG not on record"
        return f"{lead} ({status}): paclitaxel-cisplatin-bevacizumab preferred"
    hazard = f"HR {PLATINUM_PRETREATED['hazard_ratio']:g}"
    return _fitted(
        f"Recurrent cervical cancer + PM, prior platinum ({short(_drug_dates(platinum), 30)}), "
        f"{status if ecog else 'no ECOG'}: carboplatin regimens non-inferior ({hazard})",
        f"Recurrent cervical cancer + PM, prior platinum ({status}): carboplatin-based regimens non-inferior "
        f"({hazard})",
    )


@rule(
    id="CERV-FIRSTLINE",
    title="Recurrent cervical cancer with omental metastasis: first-line systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.PERFORMANCE_STATUS),
    statements=(*PREFERRED, *ALTERNATIVES, CISPLATIN_NAIVE, PLATINUM_PRETREATED, PERFORMANCE_STATUS),
    version=VERSION,
)
def first_line_therapy(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: recurrent cervical cancer with peritoneal/omental metastasis and none of the first-line drugs given
    or prescribed for the recurrent disease (see the module docstring for how therapy is placed against the
    recurrence): the regimens with their doses, led by what the platinum history before the recurrence makes
    apply. Platinum before the recurrence (cisplatin with chemoradiation for the primary, say) is prior platinum
    exposure: the card leads with the non-inferiority of carboplatin-based regimens in platinum-pretreated
    patients (adding the cisplatin-naive figures when that platinum was not cisplatin); without it, with the
    preferred cisplatin regimen and the superiority of cisplatin-based regimens in cisplatin-naive patients.
    The patient's ECOG says what it means for bevacizumab (ECOG missing: the card names it). Recurrence not on
    record: no card (the source speaks of recurrent disease; PM-GENERAL covers the chart)."""
    condition = recurrent_cervical_with_pm(picture)
    if condition is None:
        return None
    records = therapy_records(picture)
    recurrence = Recurrence.of(picture, condition)
    if any(r.drug in FIRST_LINE_DRUGS and not recurrence.before(r) for r in records):
        return None
    platinum = prior_platinum(picture, recurrence)
    prior_cisplatin = any(r.drug is Drug.CISPLATIN for r in platinum)
    ecog = picture.score(Scale.ECOG)
    earlier = [r for r in records if recurrence.before(r)]
    others = [r for r in records if not recurrence.before(r)]
    lines = [
        *chart_lines(picture, condition),
        f"- First-line drugs (cisplatin, carboplatin, paclitaxel, bevacizumab) for the recurrent disease: none on "
        f"record ({recurrence.words()})."
        + (f" Other anticancer therapy on record: {_drug_dates(others)}." if others else ""),
        (
            f"- Before the recurrence: {_drug_dates(earlier)}; its platinum is prior platinum exposure, not "
            "first-line therapy for the recurrent disease."
            if platinum
            else "- Platinum before the recurrence: none on record"
            + (f" (other therapy before it: {_drug_dates(earlier)})." if earlier else ".")
        ),
        _ecog_line(ecog),
    ]
    if platinum:
        selection = (PLATINUM_PRETREATED,) if prior_cisplatin else (PLATINUM_PRETREATED, CISPLATIN_NAIVE)
        said = [said_together(*selection), said_together(*ALTERNATIVES), said_together(*PREFERRED)]
    else:
        said = [said_together(*PREFERRED), said_together(CISPLATIN_NAIVE), said_together(*ALTERNATIVES)]
    said.append(said_together(PERFORMANCE_STATUS))
    if ecog is not None and not good_performance(ecog):
        said.append(ECOG_READING_NOTE)
    summary = _first_line_summary(ecog, platinum)
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", "Guideline: " + said[0], *said[1:]]))


@rule(
    id="CERV-BEV-ECOG",
    title=f"Bevacizumab ordered for cervical cancer with ECOG {POOR_PERFORMANCE_FROM} or more",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.PERFORMANCE_STATUS),
    statements=(PERFORMANCE_STATUS,),
    version=VERSION,
)
def bevacizumab_with_poor_performance(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: bevacizumab under review for cervical cancer while the latest ECOG is poor (above the source's
    good range). ECOG not on record: no card (the regimen's default, bevacizumab combination, is what the source
    prefers unless performance status is poor; the first-line card asks for the ECOG)."""
    condition = primary(picture, Cancer.CERVICAL)
    orders = picture.orders_under_review(Drug.BEVACIZUMAB)
    ecog = picture.score(Scale.ECOG)
    if condition is None or not orders or ecog is None or good_performance(ecog):
        return None
    when = f" on {day(ecog.on)}" if ecog.on else ""
    summary = (
        f"Bevacizumab ordered with ECOG {ecog.value}{when}: bevacizumab combinations are preferred for "
        f"{GOOD_PERFORMANCE}"
    )
    lines = [
        *(order_line("Bevacizumab", o) for o in orders),
        primary_line(condition),
        f"- Performance status: {score_text(ecog, Scale.ECOG)}.",
    ]
    return Finding(
        Indicator.WARNING,
        summary,
        "\n".join([*lines, "", "Guideline: " + said_together(PERFORMANCE_STATUS), ECOG_READING_NOTE]),
    )


@rule(
    id="CERV-PLATINUM",
    title="Carboplatin ordered for cervical cancer with no prior cisplatin",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.MEDICATION_HISTORY),
    statements=(CISPLATIN_NAIVE, PLATINUM_PRETREATED, ALTERNATIVE_REGIMEN),
    version=VERSION,
)
def carboplatin_without_prior_cisplatin(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: carboplatin under review for cervical cancer and no cisplatin on record (no medication history
    at all reads as no cisplatin; the card says 'on record'). Cisplatin on record: no card."""
    condition = primary(picture, Cancer.CERVICAL)
    orders = picture.orders_under_review(Drug.CARBOPLATIN)
    if condition is None or not orders or Drug.CISPLATIN in picture.therapy_history():
        return None
    survival = f"OS {CISPLATIN_NAIVE['cisplatin_based']} vs {CISPLATIN_NAIVE['other']} mo"
    platinum = [d.value for d in drugs_of_class(picture, DrugClass.PLATINUM)]
    if platinum:
        summary = (
            f"Carboplatin ordered; prior platinum ({short(', '.join(platinum), 30)}) but no cisplatin on record: "
            f"weigh {survival} and HR {PLATINUM_PRETREATED['hazard_ratio']:g}"
        )
        prior = (
            f"- Prior platinum on record: {', '.join(platinum)} (no cisplatin): the patient is cisplatin-naive "
            "but platinum-pretreated, so both statements below bear on the choice."
        )
    else:
        summary = (
            "Carboplatin ordered, no prior cisplatin on record: cisplatin-based regimens are superior in "
            f"cisplatin-naive patients ({survival})"
        )
        prior = "- Prior platinum on record: none (no cisplatin, no other platinum)."
    lines = [
        *(order_line("Carboplatin", o) for o in orders),
        primary_line(condition),
        prior,
        "- Cisplatin intolerance: not read from the record by this service; if it is why carboplatin was "
        "chosen, carboplatin-paclitaxel-bevacizumab is the source's alternative.",
    ]
    guideline = [
        "Guideline: " + said_together(CISPLATIN_NAIVE, PLATINUM_PRETREATED),
        said_together(ALTERNATIVE_REGIMEN),
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *guideline]))


def _first_line_start(picture: ClinicalPicture) -> date | None:
    """The earliest date a first-line drug was given or prescribed (non-draft orders), if any is dated."""
    dates = [a.given_on for a in picture.administrations if a.drug in FIRST_LINE_DRUGS]
    dates += [
        d
        for o in picture.medication_orders
        if o.drug in FIRST_LINE_DRUGS and not o.is_draft
        for d in (o.start or o.authored,)
        if d is not None
    ]
    return min(dates, default=None)


@rule(
    id="CERV-SECONDLINE",
    title="Cervical cancer progressing after first-line therapy: second-line options",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.DISEASE_STATUS),
    statements=(SECOND_LINE,),
    version=VERSION,
)
def second_line_therapy(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: cervical cancer with peritoneal/omental metastasis, first-line drugs on record and the latest
    disease status 'progression' dated after the first first-line drug (the source: progression *after*
    first-line therapy; a status dated the day the first drug started most likely describes the disease that led
    to treatment: no card), or undated, or with no start date on record for the first-line drugs. Disease status
    not on record, or not progression: no card."""
    condition = with_pm(picture, Cancer.CERVICAL)
    status = picture.disease_status
    given = first_line_on_record(picture)
    if condition is None or not given or status is None or status.trend is not Trend.PROGRESSION:
        return None
    started = _first_line_start(picture)
    if status.on is not None and started is not None and status.on <= started:
        return None
    when = f"on {day(status.on)}" if status.on else "(undated)"
    summary = (
        f"Cervical cancer progression {when} after {', '.join(d.value for d in given)}: second-line options"
    )
    since = f", since {day(started)}" if started else ""
    lines = [
        *chart_lines(picture, condition),
        f"- First-line therapy on record: {', '.join(d.value for d in given)}{since}.",
        f"- Latest disease status: progression {when}.",
    ]
    return Finding(
        Indicator.INFO, summary, "\n".join([*lines, "", "Guideline: " + said_together(SECOND_LINE)])
    )


@rule(
    id="CERV-OMENTAL-RESECTION",
    title="Recurrent cervical cancer with isolated omental metastasis: surgical resection",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.PERFORMANCE_STATUS),
    statements=(OMENTAL_RESECTION, PERFORMANCE_STATUS),
    version=VERSION,
)
def isolated_omental_resection(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: recurrent cervical cancer whose single metastatic site is the omentum (every coded metastasis on
    record counted, in any code system: all are omental or peritoneal, at least one omental) and good
    performance status: resection followed by systemic
    therapy may be considered. ECOG not on record: the card still shows and names it (performance status is one
    of four favouring factors, not a condition); poor performance status: no card."""
    condition = recurrent_cervical_with_pm(picture)
    mets = picture.metastases
    if (
        condition is None
        or picture.metastatic_site_count != 1
        or any(not m.peritoneal for m in mets)
        or not any(m.site is MetastaticSite.OMENTUM for m in mets)
    ):
        return None
    ecog = picture.score(Scale.ECOG)
    if ecog is not None and not good_performance(ecog):
        return None
    status = f"ECOG {ecog.value}" if ecog else "ECOG not on record"
    peritoneal = [m for m in mets if m.site is MetastaticSite.PERITONEUM]
    summary = (
        f"Recurrent cervical cancer, omental and peritoneal records ({status}): confirm isolated omental "
        "disease before resection"
        if peritoneal
        else f"Recurrent cervical cancer, omentum the only metastatic site ({status}): resection then systemic "
        "therapy may be considered"
    )
    lines = [
        primary_line(condition),
        "- Omental metastasis: "
        + "; ".join(md(m.name) for m in mets if m.site is MetastaticSite.OMENTUM)
        + ".",
        *(
            f"- Also on record: {md(m.name)}; the source's option is for isolated omental disease, so check "
            "that this record is the same omental site."
            for m in peritoneal
        ),
        f"- Metastatic sites on record: {picture.metastatic_site_count}, {', '.join(metastatic_sites(picture))} "
        "(omentum included); no metastasis elsewhere on record.",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}"
        + ("; record it, good performance status favours surgery." if ecog is None else "."),
        "- Disease-free interval and technical resectability: not assessed by this service.",
    ]
    return Finding(
        Indicator.INFO, summary, "\n".join([*lines, "", "Guideline: " + said_together(OMENTAL_RESECTION)])
    )


def on_therapy(record: TherapyRecord, recurrence: Recurrence, today: date) -> bool:
    """Systemic therapy for the recurrent disease that the patient is on: an order that is active or on hold, or
    a dose given within the source's longest imaging interval, that day included (so a chart that records only
    the doses given still reads as on therapy between cycles), neither dated before the recurrence. A completed
    or stopped order is a course that ended."""
    if recurrence.before(record):
        return False
    if record.current:
        return True
    return record.administered and record.on is not None and record.on <= today <= imaging_due(record.on)


def imaging_due(on: date) -> date:
    """The day after which imaging done on `on` is no longer within the source's interval: the outer end of
    "every 2-3 months", in calendar months as the source counts them. A CT dated the same day of the month that
    many months back is still within the interval (no card); one day older is overdue. A month without that day
    ends the interval on its last day (30 November + 3 months = 28 February)."""
    return add_months(on, int(FOLLOW_UP_IMAGING["longest_interval"]))


FOLLOW_UP_STATEMENTS = (FOLLOW_UP_EXAMINATION, FOLLOW_UP_IMAGING, FOLLOW_UP_TOXICITY)


@rule(
    id="CERV-FOLLOWUP",
    title="Recurrent cervical cancer with omental metastasis on systemic therapy: imaging to assess response",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.IMAGING),
    statements=FOLLOW_UP_STATEMENTS,
    version=VERSION,
)
def follow_up_imaging(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: recurrent cervical cancer with peritoneal/omental metastasis, on systemic therapy for the recurrent
    disease (`on_therapy`), and no CT of the chest, abdomen and pelvis on record within the source's longest
    interval (three calendar months; a CT exactly that long ago is still within it, see `imaging_due`): imaging
    every two to three months to assess response, clinical examination every three months for the first two
    years, toxicities at each visit. No CT on record at all: the card says so. Not on therapy, no recurrence on
    record, or a CT within the interval: no card. A CT dated after today is not read as done."""
    condition = recurrent_cervical_with_pm(picture)
    if condition is None:
        return None
    today = context.today
    recurrence = Recurrence.of(picture, condition)
    current = [r for r in therapy_records(picture) if on_therapy(r, recurrence, today)]
    if not current:
        return None
    done = [exam for exam in picture.imaging if exam.on <= today]
    last = done[-1] if done else None
    if last is not None and today <= imaging_due(last.on):
        return None
    interval = f"{FOLLOW_UP_IMAGING['shortest_interval']:g}-{FOLLOW_UP_IMAGING.param('longest_interval')}"
    drugs = short(", ".join(dict.fromkeys(r.drug.value for r in current)), 40)
    if last is None:
        summary = (
            f"Recurrent cervical cancer + PM on {drugs}: no CT chest/abdomen/pelvis on record; CT every "
            f"{interval} to assess response"
        )
        imaging = "- CT of the chest, abdomen and pelvis: none on record."
    else:
        summary = (
            f"Recurrent cervical cancer + PM on {drugs}: last CT chest/abdomen/pelvis {day(last.on)}; CT every "
            f"{interval} to assess response"
        )
        imaging = (
            f"- Last CT of the chest, abdomen and pelvis: {md(last.name)} on {day(last.on)}; the interval "
            f"ended on {day(imaging_due(last.on))}."
        )
    lines = [
        *chart_lines(picture, condition),
        f"- Systemic therapy for the recurrent disease: {_therapy_now(current)}.",
        imaging,
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*FOLLOW_UP_STATEMENTS)]))


def _therapy_now(current: list[TherapyRecord]) -> str:
    """The therapy the patient is on, each drug once: its order, or its last dose given."""
    parts = []
    for drug in Drug:
        of_drug = [r for r in current if r.drug is drug]
        if not of_drug:
            continue
        if any(r.current for r in of_drug):
            starts = sorted(r.on for r in of_drug if r.current and r.on is not None)
            parts.append(f"{drug.value} (current order" + (f", from {day(starts[0])})" if starts else ")"))
        else:
            last = max(r.on for r in of_drug if r.on is not None)
            parts.append(f"{drug.value} (last given on {day(last)})")
    return "; ".join(parts)

"""Recurrent cervical cancer with omental (peritoneal) metastasis: first- and second-line systemic therapy,
platinum choice, performance status and the surgical option for isolated omental disease (catalog §3).

The source is a document on RECURRENT cervical cancer with omental metastases. The first-line and resection cards
therefore need recurrence on record (clinicalStatus recurrence/relapse or a local-recurrence code); without it
PM-GENERAL gives the general guidance. The order cards (bevacizumab with poor performance status, carboplatin
without prior cisplatin) need a cervical primary, as the dose checks of the same regimen do.
"""

from __future__ import annotations

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
    chart_lines,
    drugs_of_class,
    primary,
    primary_line,
    score_text,
    with_pm,
)
from hooks.rules.wording import day, md, short
from hooks.statements.cervical import (
    ALTERNATIVE_REGIMEN,
    BEVACIZUMAB_DOSE,
    CARBOPLATIN_AUC,
    CISPLATIN_DOSE,
    CISPLATIN_NAIVE,
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

VERSION = "1.0.0"
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
            "- Performance status: ECOG not on record; record it, as it decides between a bevacizumab "
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


@rule(
    id="CERV-FIRSTLINE",
    title="Recurrent cervical cancer with omental metastasis: first-line systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.PERFORMANCE_STATUS),
    statements=(*PREFERRED, *ALTERNATIVES, PERFORMANCE_STATUS),
    version=VERSION,
)
def first_line_therapy(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: recurrent cervical cancer with peritoneal/omental metastasis and none of the first-line drugs on
    record: the preferred regimen with its doses, the cisplatin-intolerant alternative, and what the
    patient's ECOG means for bevacizumab (ECOG missing: the card names it). Recurrence not on record: no card
    (the source speaks of recurrent disease; PM-GENERAL covers the chart)."""
    condition = recurrent_cervical_with_pm(picture)
    if condition is None or first_line_on_record(picture):
        return None
    ecog = picture.score(Scale.ECOG)
    lead = "Recurrent cervical cancer + PM, no first-line therapy"
    if ecog is None:
        summary = f"{lead}: paclitaxel-cisplatin-bevacizumab preferred; ECOG not on record"
    elif good_performance(ecog):
        summary = f"{lead} (ECOG {ecog.value}): paclitaxel-cisplatin-bevacizumab preferred"
    else:
        summary = f"{lead}, ECOG {ecog.value}: consider single-agent therapy or dose modification"
    others = [d.value for d in picture.therapy_history()]
    lines = [
        *chart_lines(picture, condition),
        "- First-line drugs on record (cisplatin, carboplatin, paclitaxel, bevacizumab): none"
        + (f"; other anticancer therapy on record: {', '.join(others)}." if others else "."),
        _ecog_line(ecog),
    ]
    guideline = [
        "Guideline: " + said_together(*PREFERRED),
        said_together(*ALTERNATIVES),
        said_together(PERFORMANCE_STATUS),
    ]
    if ecog is not None and not good_performance(ecog):
        guideline.append(ECOG_READING_NOTE)
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *guideline]))


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
    """Info: recurrent cervical cancer whose single metastatic site is the omentum (every metastasis on record
    is omental or peritoneal, at least one omental) and good performance status: resection followed by systemic
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
    summary = (
        f"Recurrent cervical cancer, omentum the only metastatic site ({status}): resection then systemic "
        "therapy may be considered"
    )
    peritoneal = [m for m in mets if m.site is MetastaticSite.PERITONEUM]
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
        f"- Metastatic sites on record: {picture.metastatic_site_count} (no metastasis outside the peritoneum "
        "and omentum).",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}"
        + ("; record it, good performance status favours surgery." if ecog is None else "."),
        "- Disease-free interval and technical resectability: not assessed by this service.",
    ]
    return Finding(
        Indicator.INFO, summary, "\n".join([*lines, "", "Guideline: " + said_together(OMENTAL_RESECTION)])
    )

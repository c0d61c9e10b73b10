"""Recurrent cervical cancer with omental (peritoneal) metastasis: first- and second-line systemic therapy,
platinum choice, performance status and the surgical option for isolated omental disease (catalog §3).

Source: CERVICAL-OMENTAL, a document on RECURRENT cervical cancer with omental metastases. The first-line and
resection cards therefore need recurrence on record (clinicalStatus recurrence/relapse or a local-recurrence
code); without it PM-GENERAL gives the general guidance. The order cards (bevacizumab with ECOG ≥ 2,
carboplatin without prior cisplatin) need a cervical primary, as the dose checks of the same regimen do.
"""

from __future__ import annotations

from datetime import date

from cds_service.engine.types import (
    ORDER_HOOKS,
    VIEW_HOOKS,
    Citation,
    Finding,
    HookContext,
    Indicator,
    Rule,
    rule,
)
from fhir_mappings.facts import (
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    DrugClass,
    Fact,
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

FIRST_LINE_DRUGS = (Drug.CISPLATIN, Drug.CARBOPLATIN, Drug.PACLITAXEL, Drug.BEVACIZUMAB)
"""CERVICAL-OMENTAL l.20-43: every first-line regimen (preferred and other recommended) is built from
cisplatin or carboplatin, paclitaxel and bevacizumab; any of them on record means first-line therapy started."""

CISPLATIN_MG_PER_M2 = 50
"""CERVICAL-OMENTAL l.28: cisplatin 50 mg/m² on day 2 (paclitaxel-cisplatin-bevacizumab)."""
PACLITAXEL_WITH_CISPLATIN_MG_PER_M2 = 135
"""CERVICAL-OMENTAL l.29: paclitaxel 135 mg/m² over 24 hours on day 1."""
PACLITAXEL_WITH_CISPLATIN_HOURS = 24
"""CERVICAL-OMENTAL l.29: the 135 mg/m² paclitaxel infusion runs over 24 hours."""
CARBOPLATIN_AUC = 5
"""CERVICAL-OMENTAL l.35: carboplatin AUC 5 on day 1 (carboplatin-paclitaxel-bevacizumab)."""
PACLITAXEL_WITH_CARBOPLATIN_MG_PER_M2 = 175
"""CERVICAL-OMENTAL l.36: paclitaxel 175 mg/m² over 3 hours on day 1."""
PACLITAXEL_WITH_CARBOPLATIN_HOURS = 3
"""CERVICAL-OMENTAL l.36: the 175 mg/m² paclitaxel infusion runs over 3 hours."""
BEVACIZUMAB_MG_PER_KG = 15
"""CERVICAL-OMENTAL l.30, l.37: bevacizumab 15 mg/kg every 3 weeks."""
BEVACIZUMAB_EVERY_WEEKS = 3
"""CERVICAL-OMENTAL l.30, l.37: bevacizumab every 3 weeks."""
GOOD_PERFORMANCE_MAX_ECOG = 1
"""CERVICAL-OMENTAL l.53 (and l.71 for surgery): good performance status is ECOG 0-1; the source's 'poor
performance status' (l.54) is read as ECOG 2 or more."""

FIRSTLINE = Citation("CERVICAL-OMENTAL", 20, 54)
PERFORMANCE = Citation("CERVICAL-OMENTAL", 51, 54)
PLATINUM = Citation("CERVICAL-OMENTAL", 47, 50)
CISPLATIN_INTOLERANT = Citation("CERVICAL-OMENTAL", 34, 34)
SECONDLINE = Citation("CERVICAL-OMENTAL", 75, 84)
RESECTION = Citation("CERVICAL-OMENTAL", 63, 73)

PREFERRED_STATEMENT = (
    "Guideline: in recurrent cervical cancer with omental metastases, first-line systemic therapy is "
    "preferably paclitaxel-cisplatin-bevacizumab (category I): cisplatin "
    f"{CISPLATIN_MG_PER_M2} mg/m² day 2, paclitaxel {PACLITAXEL_WITH_CISPLATIN_MG_PER_M2} mg/m² over "
    f"{PACLITAXEL_WITH_CISPLATIN_HOURS} hours day 1, bevacizumab {BEVACIZUMAB_MG_PER_KG} mg/kg every "
    f"{BEVACIZUMAB_EVERY_WEEKS} weeks; it improved overall survival over chemotherapy alone (16.8 vs 13.3 "
    "months) (CERVICAL-OMENTAL l.20-31)."
)
ALTERNATIVE_STATEMENT = (
    "For patients who cannot tolerate cisplatin: carboplatin-paclitaxel-bevacizumab (category 2B): carboplatin "
    f"AUC {CARBOPLATIN_AUC} on day 1, paclitaxel {PACLITAXEL_WITH_CARBOPLATIN_MG_PER_M2} mg/m² over "
    f"{PACLITAXEL_WITH_CARBOPLATIN_HOURS} hours day 1, bevacizumab {BEVACIZUMAB_MG_PER_KG} mg/kg every "
    f"{BEVACIZUMAB_EVERY_WEEKS} weeks (CERVICAL-OMENTAL l.32-37). Other recommended regimens: "
    "cisplatin-paclitaxel or carboplatin-paclitaxel without bevacizumab, single-agent cisplatin or carboplatin "
    "(CERVICAL-OMENTAL l.39-43)."
)
PERFORMANCE_STATEMENT = (
    "Performance status: a bevacizumab-containing combination is preferred when performance status is good "
    "(ECOG 0-1); when it is poor, single-agent therapy or modified doses are to be considered "
    "(CERVICAL-OMENTAL l.51-54)."
)
ECOG_READING_NOTE = (
    "The source does not grade 'poor' performance status; this service reads it as ECOG 2 or more."
)
PLATINUM_STATEMENT = (
    "Guideline: in cisplatin-naive patients, regimens built on cisplatin are superior (median OS 23.2 vs 13.0 "
    "months); after prior platinum treatment, regimens built on carboplatin are non-inferior to cisplatin "
    "(HR 0.994) (CERVICAL-OMENTAL l.47-50). Carboplatin-paclitaxel-bevacizumab is the alternative when "
    "cisplatin is not tolerated (CERVICAL-OMENTAL l.34)."
)
SECONDLINE_OPTIONS = (
    "paclitaxel (single agent)",
    "topotecan",
    "gemcitabine",
    "cisplatin-gemcitabine (category 2B)",
    "cemiplimab (after progression on prior therapy)",
    "pembrolizumab (for recurrent or metastatic disease with progression)",
)
"""CERVICAL-OMENTAL l.77-84, in the source's order."""
RESECTION_STATEMENT = (
    "Guideline: when omental metastasis is isolated, resecting it may be considered in highly selected "
    "cases; resection and then systemic therapy is an option for select isolated recurrences, and case "
    "reports suggest long-term complete remission is possible after resection and adjuvant chemotherapy. "
    "Factors in favour of surgery: a single metastatic site, good performance status, a long disease-free "
    "interval, and disease that is technically resectable (CERVICAL-OMENTAL l.63-73)."
)


def recurrent_cervical_with_pm(picture: ClinicalPicture) -> CancerCondition | None:
    """The first recurrent cervical primary on record, when the chart has peritoneal or omental metastasis."""
    if with_pm(picture, Cancer.CERVICAL) is None:
        return None
    return next((c for c in picture.cancer_conditions if c.cancer is Cancer.CERVICAL and c.recurrent), None)


def first_line_on_record(picture: ClinicalPicture) -> tuple[Drug, ...]:
    return tuple(d for d in picture.therapy_history() if d in FIRST_LINE_DRUGS)


def good_performance(ecog: Score) -> bool:
    return ecog.value <= GOOD_PERFORMANCE_MAX_ECOG


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


@rule(
    id="CERV-FIRSTLINE",
    title="Recurrent cervical cancer with omental metastasis: first-line systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.PERFORMANCE_STATUS),
    cites=(FIRSTLINE,),
    version="1.0.0",
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
    statements = [PREFERRED_STATEMENT, ALTERNATIVE_STATEMENT, PERFORMANCE_STATEMENT]
    if ecog is not None and not good_performance(ecog):
        statements.append(ECOG_READING_NOTE)
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *statements]))


@rule(
    id="CERV-BEV-ECOG",
    title="Bevacizumab ordered for cervical cancer with ECOG 2 or more",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.PERFORMANCE_STATUS),
    cites=(PERFORMANCE,),
    version="1.0.0",
)
def bevacizumab_with_poor_performance(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: bevacizumab under review for cervical cancer while the latest ECOG is 2 or more. ECOG not on
    record: no card (the regimen's default, bevacizumab combination, is what the source prefers unless
    performance status is poor; the first-line card asks for the ECOG)."""
    condition = primary(picture, Cancer.CERVICAL)
    orders = picture.orders_under_review(Drug.BEVACIZUMAB)
    ecog = picture.score(Scale.ECOG)
    if condition is None or not orders or ecog is None or good_performance(ecog):
        return None
    when = f" on {day(ecog.on)}" if ecog.on else ""
    summary = f"Bevacizumab ordered with ECOG {ecog.value}{when}: bevacizumab combinations are preferred for ECOG 0-1"
    lines = [
        *(f"- **Bevacizumab order** under review ({o.ref})." for o in orders),
        primary_line(condition),
        f"- Performance status: {score_text(ecog, Scale.ECOG)}.",
    ]
    return Finding(
        Indicator.WARNING,
        summary,
        "\n".join([*lines, "", "Guideline: " + PERFORMANCE_STATEMENT.split(": ", 1)[1], ECOG_READING_NOTE]),
    )


@rule(
    id="CERV-PLATINUM",
    title="Carboplatin ordered for cervical cancer with no prior cisplatin",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.MEDICATION_HISTORY),
    cites=(PLATINUM, CISPLATIN_INTOLERANT),
    version="1.0.0",
)
def carboplatin_without_prior_cisplatin(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: carboplatin under review for cervical cancer and no cisplatin on record (no medication history
    at all reads as no cisplatin; the card says 'on record'). Cisplatin on record: no card."""
    condition = primary(picture, Cancer.CERVICAL)
    orders = picture.orders_under_review(Drug.CARBOPLATIN)
    if condition is None or not orders or Drug.CISPLATIN in picture.therapy_history():
        return None
    platinum = [d.value for d in drugs_of_class(picture, DrugClass.PLATINUM)]
    if platinum:
        summary = (
            f"Carboplatin ordered; prior platinum ({short(', '.join(platinum), 30)}) but no cisplatin on record: "
            "weigh OS 23.2 vs 13.0 mo and HR 0.994"
        )
        prior = (
            f"- Prior platinum on record: {', '.join(platinum)} (no cisplatin): the patient is cisplatin-naive "
            "but platinum-pretreated, so both statements below bear on the choice."
        )
    else:
        summary = (
            "Carboplatin ordered, no prior cisplatin on record: cisplatin-based regimens are superior in "
            "cisplatin-naive patients (OS 23.2 vs 13.0 mo)"
        )
        prior = "- Prior platinum on record: none (no cisplatin, no other platinum)."
    lines = [
        *(f"- **Carboplatin order** under review ({o.ref})." for o in orders),
        primary_line(condition),
        prior,
        "- Cisplatin intolerance: not read from the record by this service; if it is why carboplatin was "
        "chosen, carboplatin-paclitaxel-bevacizumab is the source's alternative.",
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", PLATINUM_STATEMENT]))


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
    cites=(SECONDLINE,),
    version="1.0.0",
)
def second_line_therapy(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: cervical cancer with peritoneal/omental metastasis, first-line drugs on record and the latest
    disease status 'progression' dated after the first first-line drug (l.77: progression *after* first-line
    therapy; a status dated the day the first drug started most likely describes the disease that led to
    treatment: no card), or undated, or with no start date on record for the first-line drugs. Disease status
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
    refs = sorted(
        {a.ref for a in picture.administrations if a.drug in given}
        | {o.ref for o in picture.medication_orders if o.drug in given and not o.is_draft}
    )
    since = f", since {day(started)}" if started else ""
    lines = [
        *chart_lines(picture, condition),
        f"- First-line therapy on record: {', '.join(d.value for d in given)}{since} ({', '.join(refs)}).",
        f"- Latest disease status: progression {when} ({status.ref}).",
    ]
    statement = (
        "Guideline: on progression after first-line therapy, the second-line options are "
        + "; ".join(SECONDLINE_OPTIONS)
        + " (CERVICAL-OMENTAL l.77-84)."
    )
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", statement]))


@rule(
    id="CERV-OMENTAL-RESECTION",
    title="Recurrent cervical cancer with isolated omental metastasis: surgical resection",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.PERFORMANCE_STATUS),
    cites=(RESECTION,),
    version="1.0.0",
)
def isolated_omental_resection(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: recurrent cervical cancer whose single metastatic site is the omentum (every metastasis on record
    is omental or peritoneal, at least one omental) and ECOG 0-1: resection followed by systemic therapy may
    be considered. ECOG not on record: the card still shows and names it (performance status is one of four
    favouring factors, l.69-73, not a condition); ECOG 2 or more: no card."""
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
        + "; ".join(f"{md(m.name)} ({m.ref})" for m in mets if m.site is MetastaticSite.OMENTUM)
        + ".",
        *(
            f"- Also on record: {md(m.name)} ({m.ref}); the source's option is for isolated omental disease, "
            "so check that this record is the same omental site."
            for m in peritoneal
        ),
        "- Metastatic sites on record: 1 (no metastasis outside the peritoneum and omentum).",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}"
        + ("; record it, good performance status favours surgery." if ecog is None else "."),
        "- Disease-free interval and technical resectability: not assessed by this service.",
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", RESECTION_STATEMENT]))


RULES: tuple[Rule, ...] = (
    first_line_therapy,
    bevacizumab_with_poor_performance,
    carboplatin_without_prior_cisplatin,
    second_line_therapy,
    isolated_omental_resection,
)

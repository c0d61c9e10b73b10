"""Hepatocellular carcinoma with peritoneal metastasis: the systemic-therapy algorithm (catalog §3).

Systemic therapy is the standard approach: frontline atezolizumab/bevacizumab or sorafenib; AFP and imaging at
a fixed interval; on progression lenvatinib or regorafenib; on further progression GEMOX, which is salvage after
progression on immunotherapy and tyrosine kinase inhibitors (hooks/statements/hepatocellular.py). The CRS/HIPEC
cards of HCC (HIPEC-HCC, HIPEC-HCC-POSTOP) live in the cytoreduction module.

"On record" means given or prescribed before this call (`ClinicalPicture.therapy_history`): the drafts of an
order hook are what is being decided, not history.
"""

from __future__ import annotations

from datetime import date

from cds_service.engine.types import (
    ORDER_HOOKS,
    VIEW_HOOKS,
    CreateServiceRequest,
    Finding,
    HookContext,
    Indicator,
    SuggestionSpec,
    rule,
)
from fhir_mappings.facts import (
    Cancer,
    ClinicalPicture,
    Drug,
    DrugClass,
    Fact,
    MarkerResult,
    MedicationOrder,
    Orderable,
    Trend,
)
from hooks.rules.chart import (
    add_months,
    chart_lines,
    drugs_of_class,
    therapy_line,
    with_pm,
)
from hooks.rules.wording import dated, day, guideline, md, short
from hooks.statements.hepatocellular import (
    HCC_AFP_MONITORING,
    HCC_AFTER_PROGRESSION,
    HCC_ALGORITHM_FRONTLINE,
    HCC_ATEZOLIZUMAB_BEVACIZUMAB_FRONTLINE,
    HCC_GEMOX_SALVAGE,
    HCC_SORAFENIB_FIRST_LINE,
    HCC_SYSTEMIC_STANDARD,
    NO_DELAY_FOR_SURGERY,
)

VERSION = "1.1.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""

FRONTLINE_REGIMENS: tuple[tuple[Drug, ...], ...] = (
    (Drug.ATEZOLIZUMAB, Drug.BEVACIZUMAB),
    (Drug.SORAFENIB,),
)
"""The frontline options, atezolizumab/bevacizumab or sorafenib. A regimen is on record when all its drugs are
(atezolizumab without bevacizumab is not the regimen the source names)."""
SECOND_LINE_DRUGS = (Drug.LENVATINIB, Drug.REGORAFENIB)
"""The second line after progression on frontline therapy."""
GEMOX = (Drug.GEMCITABINE, Drug.OXALIPLATIN)
"""Gemcitabine plus oxaliplatin, the salvage step after further progression."""
SALVAGE_PRIOR_CLASSES = (DrugClass.IMMUNOTHERAPY, DrugClass.TKI)
"""GEMOX is salvage after progression on immunotherapy and on tyrosine kinase inhibitors: both classes."""
ACTIVE_ORDER_STATUSES = frozenset({"active"})
"""Orders of the record that still run, so that a draft of one GEMOX drug completes an active order of the other."""

FIRSTLINE_STATEMENTS = (
    HCC_SYSTEMIC_STANDARD,
    HCC_SORAFENIB_FIRST_LINE,
    HCC_ATEZOLIZUMAB_BEVACIZUMAB_FRONTLINE,
    HCC_ALGORITHM_FRONTLINE,
    NO_DELAY_FOR_SURGERY,
)
PROGRESSION_STATEMENTS = (HCC_GEMOX_SALVAGE, HCC_ALGORITHM_FRONTLINE, HCC_AFTER_PROGRESSION)


def afp_due(afp_on: date) -> date:
    """The day the next AFP is due: the outer end of the monitoring interval, in calendar months as the source
    counts them (not a fixed number of days). An AFP dated on the same day of the month that many months back
    is still within the interval; one day older is overdue. A month without that day ends the interval on its
    last day (30 November + 3 months = 28 February)."""
    return add_months(afp_on, int(HCC_AFP_MONITORING["longest_interval"]))


def afp_overdue(afp: MarkerResult | None, today: date) -> bool:
    """True when no dated AFP falls within the monitoring interval."""
    if afp is None or afp.on is None:
        return True
    return afp_due(afp.on) < today


def _interval() -> str:
    """The monitoring interval as a summary says it ("2-3 months")."""
    return f"{HCC_AFP_MONITORING['shortest_interval']:g}-{HCC_AFP_MONITORING.param('longest_interval')}"


def frontline_on_record(picture: ClinicalPicture) -> tuple[Drug, ...]:
    """The drugs of the first frontline regimen wholly on record (empty when none is)."""
    history = set(picture.therapy_history())
    return next((r for r in FRONTLINE_REGIMENS if set(r) <= history), ())


_CLASS_NAMES = {DrugClass.IMMUNOTHERAPY: "immunotherapy", DrugClass.TKI: "TKI"}


def _prior_class_line(picture: ClinicalPicture, drug_class: DrugClass) -> str:
    had = drugs_of_class(picture, drug_class)
    found = ", ".join(d.value for d in had) if had else "none on record"
    return f"- Prior {drug_class.value}: {found}."


def _drugs(drugs: tuple[Drug, ...] | list[Drug]) -> str:
    return "/".join(d.value for d in drugs)


@rule(
    id="HCC-FIRSTLINE",
    title="HCC with peritoneal metastasis: start frontline systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.TUMOR_MARKERS),
    statements=FIRSTLINE_STATEMENTS,
    version=VERSION,
)
def hcc_frontline(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: HCC with peritoneal metastasis and no systemic therapy on record (neither administered nor
    prescribed). A therapy history that is simply missing from the record looks the same: the card says
    "none on record", so the clinician can tell. The latest AFP, when on record, is shown with its date (the
    card names its absence otherwise). The summary names the frontline options; the urgency is the source's
    own, said in the detail: systemic therapy is not to be delayed in favour of a surgical consultation
    (NO_DELAY_FOR_SURGERY), nothing stronger (catalog revision 2)."""
    condition = with_pm(picture, Cancer.HCC)
    if condition is None or picture.therapy_history():
        return None
    afp = picture.afp
    afp_text = f"AFP {short(afp.text, 20)}{dated(afp.on)}" if afp else "no AFP on record"
    summary = (
        f"HCC with PM ({afp_text}), no systemic therapy on record: frontline is atezolizumab/bevacizumab or "
        "sorafenib"
    )
    lines = [
        *chart_lines(picture, condition),
        "- Systemic therapy (administered or prescribed): none on record.",
        f"- AFP: {md(afp.text)}{dated(afp.on)}." if afp else "- AFP: none on record.",
    ]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", guideline(*FIRSTLINE_STATEMENTS)]))


@rule(
    id="HCC-AFP-MONITOR",
    title=f"HCC with peritoneal metastasis: AFP monitoring every {_interval()}",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.TUMOR_MARKERS),
    statements=(HCC_AFP_MONITORING,),
    version=VERSION,
)
def hcc_afp_monitoring(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info with an AFP order: the latest AFP is older than the monitoring interval (calendar months), or there
    is none. An undated AFP cannot show when it was measured: it is treated as no dated AFP, and the card says
    so. An AFP dated after today is within the interval."""
    condition = with_pm(picture, Cancer.HCC)
    afp = picture.afp
    if condition is None or not afp_overdue(afp, context.today):
        return None
    if afp is None:
        summary = (
            f"HCC with peritoneal metastasis, no AFP on record: monitor AFP and imaging every {_interval()}"
        )
        afp_line = "- AFP: none on record."
    elif afp.on is None:
        summary = (
            f"HCC with peritoneal metastasis, last AFP undated: monitor AFP and imaging every {_interval()}"
        )
        afp_line = (
            f"- AFP: {md(afp.text)} has no date, so it cannot show the interval; treated as no dated AFP."
        )
    else:
        longest = HCC_AFP_MONITORING.param("longest_interval")
        summary = f"Last AFP {day(afp.on)} is over {longest} old: monitor AFP and imaging every {_interval()}"
        afp_line = (
            f"- Last AFP: {md(afp.text)} on {day(afp.on)}; the next was due by {day(afp_due(afp.on))} "
            f"({longest} later), and today is {day(context.today)}."
        )
    lines = [*chart_lines(picture, condition), afp_line]
    suggestion = SuggestionSpec(
        "Order an AFP test", (CreateServiceRequest(Orderable.AFP_TEST, "Order a serum AFP test"),)
    )
    return Finding(
        Indicator.INFO, summary, "\n".join([*lines, "", guideline(HCC_AFP_MONITORING)]), (suggestion,)
    )


@rule(
    id="HCC-PROGRESSION",
    title="HCC with peritoneal metastasis: next line of therapy after progression",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.DISEASE_STATUS),
    statements=PROGRESSION_STATEMENTS,
    version=VERSION,
)
def hcc_progression(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: the latest disease status is progression. With lenvatinib or regorafenib on record (further
    progression): GEMOX may be considered, the algorithm's step on further progression (HCC_AFTER_PROGRESSION).
    When immunotherapy or a TKI is not on record, the card says so and leads with the algorithm, adding that the
    source describes GEMOX as salvage after progression on both (HCC_GEMOX_SALVAGE, the condition HCC-GEMOX-ORDER
    checks on an order). Else, with a frontline regimen on record, switch to lenvatinib or regorafenib. No card
    when the disease status is unknown or not progression, when no therapy of the algorithm is on record
    (HCC-FIRSTLINE speaks when there is no therapy at all), or when GEMOX itself is already on record (the
    source's algorithm has no further step)."""
    condition = with_pm(picture, Cancer.HCC)
    status = picture.disease_status
    if condition is None or status is None or status.trend is not Trend.PROGRESSION:
        return None
    history = picture.therapy_history()
    if all(d in history for d in GEMOX):
        return None
    frontline = frontline_on_record(picture)
    second_line = tuple(d for d in SECOND_LINE_DRUGS if d in history)
    when = f"({day(status.on)})" if status.on else "(undated)"
    lines = [
        *chart_lines(picture, condition),
        f"- Disease status: progression {when}, the latest status on record.",
        therapy_line(picture),
    ]
    if second_line:
        on = " and ".join(d.value for d in second_line)
        missing = [c for c in SALVAGE_PRIOR_CLASSES if not picture.had_class(c)]
        if not missing:
            summary = f"HCC progression {when} on {on}: consider GEMOX (gemcitabine + oxaliplatin)"
            gemox = guideline(HCC_AFTER_PROGRESSION, HCC_GEMOX_SALVAGE)
            return Finding(Indicator.INFO, summary, "\n".join([*lines, "", gemox]))
        lines += [_prior_class_line(picture, c) for c in SALVAGE_PRIOR_CLASSES]
        absent = " or ".join(_CLASS_NAMES[c] for c in missing)
        summary = f"HCC further progression {when} on {on}: GEMOX may be considered; no {absent} on record"
        said = guideline(HCC_AFTER_PROGRESSION, HCC_GEMOX_SALVAGE, HCC_ALGORITHM_FRONTLINE)
        return Finding(Indicator.INFO, summary, "\n".join([*lines, "", said]))
    if frontline:
        summary = f"HCC progression {when} on {_drugs(frontline)}: switch to lenvatinib or regorafenib"
        return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(HCC_AFTER_PROGRESSION)]))
    return None


def _gemox_orders(picture: ClinicalPicture) -> tuple[MedicationOrder, ...]:
    """The call's drafts and the record's active orders of gemcitabine or oxaliplatin."""
    return tuple(
        o
        for o in picture.medication_orders
        if o.drug in GEMOX and (o.is_draft or o.status in ACTIVE_ORDER_STATUSES)
    )


@rule(
    id="HCC-GEMOX-ORDER",
    title="GEMOX for HCC before immunotherapy and a tyrosine kinase inhibitor",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY),
    statements=PROGRESSION_STATEMENTS,
    version=VERSION,
)
def hcc_gemox_order(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: gemcitabine or oxaliplatin under review, both drugs among the call's drafts or the active orders
    (GEMOX), for HCC with peritoneal metastasis, and immunotherapy or a tyrosine kinase inhibitor (or both)
    missing from the record. One of the two drugs alone is not GEMOX: no card. A therapy history missing from
    the record reads as no prior therapy, and the card names what it did not find."""
    condition = with_pm(picture, Cancer.HCC)
    if condition is None or not picture.orders_under_review(*GEMOX):
        return None
    orders = _gemox_orders(picture)
    if not all(any(o.drug is d for o in orders) for d in GEMOX):
        return None
    missing = [c for c in SALVAGE_PRIOR_CLASSES if not picture.had_class(c)]
    if not missing:
        return None
    summary = (
        f"GEMOX ordered for HCC with no prior {' or '.join(_CLASS_NAMES[c] for c in missing)} on record: it is "
        "salvage after immunotherapy and TKIs"
    )
    lines = chart_lines(picture, condition)
    for order in orders:
        kind = "draft under review" if order.under_review else ("draft" if order.is_draft else "active order")
        drug = order.drug.value
        lines.append(f"- {drug.capitalize()}: {kind}.")
    lines += [_prior_class_line(picture, c) for c in SALVAGE_PRIOR_CLASSES]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*PROGRESSION_STATEMENTS)]))

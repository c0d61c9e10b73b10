"""Cytoreductive surgery (CRS), HIPEC and PIPAC: who may be a candidate, and what the trials showed (catalog §2).

CRS/HIPEC is not standard for HCC or lung cancer with peritoneal metastasis; in colorectal disease the PCI and
the completeness of cytoreduction decide; the trials of oxaliplatin HIPEC, proactive HIPEC and PIPAC temper what
an order can expect. Order hooks speak about the CRS/HIPEC/PIPAC orders under review; the patient-view cards
speak about the chart.

Revision 2 of the catalog: the candidacy cards (HIPEC-HCC, HIPEC-LUNG, HIPEC-CRC-PCI) count every coded
metastatic site (peritoneum and omentum one site) and name the sites on record; "candidate" and "confined to
the peritoneum" are said only when true of the chart. HIPEC-CCR and HIPEC-OXALIPLATIN say what the review says:
a confirmed possibility of complete resection is a prerequisite for HIPEC (the authors' series gave HIPEC after
CCR-0/1, a description, not a rule), and each CMS4 figure is said of its own cohort.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cds_service.engine.types import (
    ALL_HOOKS,
    BOOKING_HOOKS,
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
    Fact,
    Intervention,
    InterventionKind,
    MarkerResult,
    Metastasis,
    MetastaticSite,
    Scale,
    StatusReport,
    Trend,
)
from hooks.rules.chart import (
    add_months,
    chart_lines,
    pm_line,
    primary,
    primary_line,
    score_text,
    status_line,
    therapy_line,
    therapy_text,
    with_pm,
)
from hooks.rules.wording import dated, day, guideline, md, short
from hooks.statements.cytoreduction import (
    CCR_SCORE,
    CMS4_IN_PRIMARY_TUMOURS,
    CMS4_OXALIPLATIN_RESISTANCE,
    COLOPEC_TRIAL,
    COLORECTAL_ALGORITHMS_DO_NOT_TRANSFER,
    COLORECTAL_PCI_EVIDENCE,
    COMPLETE_RESECTION_BEFORE_HIPEC,
    CRS_HIPEC_NOT_STANDARD,
    DISTANT_DISEASE_EVALUATION,
    HCC_CRS_HIPEC_SELECTION,
    HCC_POSTOP_CHEMOTHERAPY,
    HCC_PROFOUND_RESPONSE_MDT,
    HCC_RESPONSE_BEFORE_CRS_HIPEC,
    OPERATIVE_REPORT,
    OXALIPLATIN_HIPEC_TRIAL,
    OXALIPLATIN_TRIAL_PRETREATED,
    PERITONEAL_RECURRENCE_RISK,
    PIPAC_NO_CLEAR_INDICATION,
    PIPAC_PALLIATIVE_APPROACH,
    PIPAC_PHASE_TWO_TRIAL,
    PROACTIVE_HIPEC_NOT_RECOMMENDED,
    PROGNOSTIC_FACTORS,
    PROPHYLOCHIP_TRIAL,
    SURGICAL_EXPLORATION,
)
from hooks.statements.hepatocellular import NO_DELAY_FOR_SURGERY
from hooks.statements.lung import LUNG_PALLIATIVE_GOALS, LUNG_SYSTEMIC_CHEMOTHERAPY

CRS_OR_HIPEC = (InterventionKind.CRS, InterventionKind.HIPEC)

HCC_NOT_STANDARD = (
    CRS_HIPEC_NOT_STANDARD,
    HCC_CRS_HIPEC_SELECTION,
    COLORECTAL_ALGORITHMS_DO_NOT_TRANSFER,
    HCC_RESPONSE_BEFORE_CRS_HIPEC,
)
LUNG_NOT_STANDARD = (
    LUNG_SYSTEMIC_CHEMOTHERAPY,
    CRS_HIPEC_NOT_STANDARD,
    COLORECTAL_ALGORITHMS_DO_NOT_TRANSFER,
    NO_DELAY_FOR_SURGERY,
    LUNG_PALLIATIVE_GOALS,
)
PCI_EVIDENCE = (COLORECTAL_PCI_EVIDENCE, PROGNOSTIC_FACTORS)
CCR_PREREQUISITE = (COMPLETE_RESECTION_BEFORE_HIPEC, CCR_SCORE)
EXPLORATION = (SURGICAL_EXPLORATION, OPERATIVE_REPORT)
DISTANT_EXPLORATION = (SURGICAL_EXPLORATION, DISTANT_DISEASE_EVALUATION, OPERATIVE_REPORT)
"""In the review's order: exploration, then the work-up of distant metastases, then the operative report."""
DISTANT_PREREQUISITE = (COMPLETE_RESECTION_BEFORE_HIPEC, DISTANT_DISEASE_EVALUATION, CCR_SCORE)
OXALIPLATIN_EVIDENCE = (
    OXALIPLATIN_HIPEC_TRIAL,
    OXALIPLATIN_TRIAL_PRETREATED,
    CMS4_OXALIPLATIN_RESISTANCE,
    CMS4_IN_PRIMARY_TUMOURS,
)
PROACTIVE_EVIDENCE = (
    PERITONEAL_RECURRENCE_RISK,
    COLOPEC_TRIAL,
    PROPHYLOCHIP_TRIAL,
    PROACTIVE_HIPEC_NOT_RECOMMENDED,
)
PIPAC_EVIDENCE = (PIPAC_PALLIATIVE_APPROACH, PIPAC_NO_CLEAR_INDICATION, PIPAC_PHASE_TWO_TRIAL)

SUMMARY_LIMIT = 140
"""A card summary stays under this many characters (CDS Hooks)."""

# --- Helpers ------------------------------------------------------------------------------------------------


def _fitting(*candidates: str) -> str:
    """The first summary that fits a card, else the last (the shortest wording, which always fits)."""
    return next((c for c in candidates if len(c) < SUMMARY_LIMIT), candidates[-1])


SiteGroup = tuple[MetastaticSite, list[Metastasis]]


def _site_groups(picture: ClinicalPicture) -> list[SiteGroup]:
    """Every metastatic site on record once, as `ClinicalPicture.metastatic_site_count` counts them (by site
    key): the peritoneum first (the omentum is part of it), then the other sites in record order, each with its
    conditions."""
    groups: dict[str, SiteGroup] = {}
    for m in sorted(picture.metastases, key=lambda m: not m.peritoneal):
        site = MetastaticSite.PERITONEUM if m.peritoneal else m.site
        groups.setdefault(m.site_key, (site, []))[1].append(m)
    return list(groups.values())


def _outside(picture: ClinicalPicture) -> list[SiteGroup]:
    """The metastatic sites on record outside the peritoneum."""
    return [(site, ms) for site, ms in _site_groups(picture) if not site.peritoneal]


def _site_name(site: MetastaticSite, metastases: list[Metastasis]) -> str:
    """A site as the detail names it: the organ, or for a site the facts do not name, its condition."""
    return md(metastases[0].name) if site is MetastaticSite.OTHER else site.value


def _condition_name(site: MetastaticSite, metastasis: Metastasis) -> str:
    """A metastasis outside the peritoneum by its record name, with the organ it was classified to."""
    if site is MetastaticSite.OTHER or metastasis.name.casefold() == site.value:
        return md(metastasis.name)
    return f"{md(metastasis.name)} ({site.value})"


def site_lines(picture: ClinicalPicture) -> list[str]:
    """The extent of disease in a detail: every metastatic site on record counted and named, and each
    metastasis outside the peritoneum by its record name; "the peritoneum only" only when that is so."""
    groups = _site_groups(picture)
    outside = [(site, ms) for site, ms in groups if not site.peritoneal]
    if not outside:
        return [
            "- Metastatic sites on record: the peritoneum only; no metastasis outside the peritoneum on record."
        ]
    named = ", ".join(_site_name(site, ms) for site, ms in groups)
    conditions = "; ".join(_condition_name(site, m) for site, ms in outside for m in ms)
    return [
        f"- Metastatic sites on record: {len(groups)} ({named}; peritoneum and omentum count as one).",
        f"- Metastasis outside the peritoneum: {conditions}.",
    ]


def _elsewhere(outside: list[SiteGroup]) -> str:
    """The sites outside the peritoneum for a summary: 'lung', 'liver and lung', 'bone and another site'."""
    names = [site.value for site, _ in outside if site is not MetastaticSite.OTHER]
    others = sum(1 for site, _ in outside if site is MetastaticSite.OTHER)
    if others:
        names.append("another site" if others == 1 else f"{others} other sites")
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _also(outside: list[SiteGroup], limit: int | None = None) -> str:
    """', metastases also in <sites>' for a summary (empty when the peritoneum is the only site on record)."""
    if not outside:
        return ""
    sites = _elsewhere(outside)
    return f", metastases also in {short(sites, limit) if limit else sites}"


def _by_record(interventions: Iterable[Intervention]) -> list[tuple[Intervention, list[InterventionKind]]]:
    """One entry per order or procedure (one record may name CRS and HIPEC together), with its kinds."""
    grouped: dict[str, tuple[Intervention, list[InterventionKind]]] = {}
    for i in interventions:
        grouped.setdefault(i.ref, (i, []))[1].append(i.kind)
    return list(grouped.values())


def _kinds_text(kinds: Iterable[InterventionKind]) -> str:
    return " + ".join(k.value for k in kinds)


def intervention_lines(interventions: Iterable[Intervention]) -> list[str]:
    lines = []
    for i, kinds in _by_record(interventions):
        booked = i.ref.startswith("Appointment/")
        label = "Done" if i.done else "Planned"
        if i.under_review:
            label = "Booking under review" if booked else "Order under review"
        verb = "performed" if i.done else ("booked for" if booked else "requested for")
        when = f"{verb} {day(i.on)}" if i.on else "no date on record"
        drugs = f"; drug named: {', '.join(sorted(d.value for d in i.drugs))}" if i.drugs else ""
        lines.append(f"- **{label}**: {md(i.name)} ({_kinds_text(kinds)}; {when}{drugs}).")
    return lines


def _chosen(context: HookContext) -> str:
    """How a card names the choice under review: an order, or a booking (appointment-book)."""
    return "booked" if context.hook in BOOKING_HOOKS else "ordered"


def _requested(interventions: Iterable[Intervention]) -> str:
    """'ordered for <day>' (the earliest requested date of the orders) or 'ordered (undated)'."""
    days = sorted(i.on for i in interventions if i.on is not None)
    return f"ordered for {day(days[0])}" if days else "ordered (undated)"


def afp_line(afp: MarkerResult | None) -> str:
    if afp is None:
        return "- AFP: no result on record, so its normalisation cannot be shown."
    if afp.normalised is None:
        verdict = "AFP normalisation unknown: no reference range or interpretation on the result"
    elif afp.normalised:
        verdict = "normal by its reference range or interpretation (normalised)"
    else:
        verdict = "above the upper reference limit (not normalised)"
    return f"- AFP {md(afp.text)}{dated(afp.on)}: {verdict}."


def afp_phrase(afp: MarkerResult | None) -> str:
    """The AFP for a summary, with its date whenever a result is shown."""
    if afp is None:
        return "no AFP on record"
    if afp.normalised is None:
        return f"AFP{dated(afp.on)}: normalisation unknown"
    if afp.normalised:
        return f"AFP normalised{dated(afp.on)}"
    return f"AFP {short(afp.text, 20)}{dated(afp.on)} not normalised"


def status_phrase(status: StatusReport | None) -> str:
    if status is None:
        return "no response documented"
    return "response documented" if status.trend is Trend.RESPONSE else f"latest status {status.trend.value}"


def _done_text(interventions: Iterable[Intervention]) -> str:
    """'Cytoreductive surgery', 'HIPEC' or both, for a summary."""
    kinds = sorted({i.kind for i in interventions}, key=list(InterventionKind).index)
    text = _kinds_text(kinds)
    return text[0].upper() + text[1:]


def _crs_hipec_chart(
    picture: ClinicalPicture, context: HookContext, cancer: Cancer
) -> tuple[CancerCondition, list[Intervention]] | None:
    """The primary with PM and the CRS/HIPEC records a card speaks about: all of them on patient-view, those
    under review on order hooks. None when the chart has no such primary, or on an order hook with no CRS or
    HIPEC under review: the card stays away."""
    condition = with_pm(picture, cancer)
    if condition is None:
        return None
    if context.hook in VIEW_HOOKS:
        return condition, [i for i in picture.interventions if i.kind in CRS_OR_HIPEC]
    reviewed = picture.interventions_under_review(*CRS_OR_HIPEC)
    return (condition, list(reviewed)) if reviewed else None


def _choice_indicator(context: HookContext, shown: Iterable[Intervention]) -> Indicator:
    """Warning where CRS/HIPEC is being chosen: an order under review (order hooks), or a CRS/HIPEC order or
    plan not yet done on the chart (patient-view). A patient-view with none: info, guidance only, since no
    choice against the recommendation has been made."""
    return Indicator.WARNING if context.hook not in VIEW_HOOKS or _planned(shown) else Indicator.INFO


def _before(first: date | None, second: date | None) -> bool:
    """Both dated and `first` strictly earlier: a CCR older than the PCI belongs to an earlier operation (the
    PCI is scored when an operation starts, the CCR when it ends)."""
    return first is not None and second is not None and first < second


def _planned(shown: Iterable[Intervention]) -> bool:
    """A CRS/HIPEC order or plan on the chart that is not done yet."""
    return any(not i.done for i in shown)


# --- Rules --------------------------------------------------------------------------------------------------


@rule(
    id="HIPEC-HCC",
    title="CRS/HIPEC for hepatocellular carcinoma with peritoneal metastasis",
    hooks=ALL_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.INTERVENTIONS,
        Fact.TUMOR_MARKERS,
        Fact.DISEASE_STATUS,
        Fact.MEDICATION_HISTORY,
        Fact.DRAFT_ORDERS,
    ),
    statements=(*HCC_NOT_STANDARD, HCC_PROFOUND_RESPONSE_MDT),
    version="2.0.0",
)
def hipec_for_hcc(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """CRS/HIPEC is not standard for HCC with PM: a warning on order hooks (CRS or HIPEC under review) and on a
    patient-view whose chart has a CRS/HIPEC order or plan not yet done; info on a patient-view with none (no
    choice has been made). The MDT info card instead when systemic therapy is on record, AFP is normalised, a
    response is documented and no metastasis outside the peritoneum is on record (the profound response to
    systemic therapy the source asks for, in disease confined to the peritoneum). Patient-view: any HCC + PM
    chart, unless CRS/HIPEC was already done (HIPEC-HCC-POSTOP speaks then). An AFP without reference range or
    interpretation, or none, a missing disease status and no systemic therapy on record are named on the card
    and rule out the MDT card. Every coded metastatic site is counted and named (summary and detail); the card
    says the peritoneum is the only site only when no other is on record."""
    chart = _crs_hipec_chart(picture, context, Cancer.HCC)
    on_view = context.hook in VIEW_HOOKS
    if chart is None or (on_view and any(i.done for i in chart[1])):
        return None
    condition, shown = chart
    outside = _outside(picture)
    treated = bool(picture.therapy_history())
    profound = (
        treated
        and picture.afp is not None
        and picture.afp.normalised is True
        and picture.disease_status is not None
        and picture.disease_status.trend is Trend.RESPONSE
    )
    lines = [
        *chart_lines(picture, condition),
        *site_lines(picture),
        *intervention_lines(shown),
        therapy_line(picture),
        afp_line(picture.afp),
        status_line(picture.disease_status, "none on record, so no response on imaging is documented"),
    ]
    if not on_view:
        subject = f"CRS/HIPEC {_chosen(context)} for HCC with PM"
    elif _planned(shown):
        subject = "CRS/HIPEC planned for HCC with PM"
    else:
        subject = "HCC with PM"
    if profound and not outside:
        summary = f"{subject}: {afp_phrase(picture.afp)}, response documented; MDT evaluation at a specialised centre"
        note = (
            "Systemic therapy, AFP normalisation and a documented response are all on record, and no metastasis "
            "outside the peritoneum is."
        )
        detail = "\n".join([*lines, "", note, guideline(HCC_PROFOUND_RESPONSE_MDT, *HCC_NOT_STANDARD)])
        return Finding(Indicator.INFO, summary, detail)
    if profound:
        lines.append(
            "- Systemic therapy, AFP normalisation and a documented response are on record, but so are "
            "metastases outside the peritoneum: the selection the guideline describes is of disease confined to "
            "the peritoneum."
        )
    reasons = [afp_phrase(picture.afp), status_phrase(picture.disease_status)]
    if not treated:
        reasons.append("no systemic therapy on record")
    verdict = "CRS/HIPEC not standard" if subject == "HCC with PM" else "not standard"
    summary = _fitting(
        *(
            f"{subject}{_also(outside)}: {verdict} ({'; '.join(reasons[:n])})"
            for n in range(len(reasons), 0, -1)
        ),
        f"{subject}{_also(outside, 40)}: {verdict}",
    )
    indicator = _choice_indicator(context, shown)
    return Finding(indicator, summary, "\n".join([*lines, "", guideline(*HCC_NOT_STANDARD)]))


@rule(
    id="HIPEC-LUNG",
    title="CRS/HIPEC for lung cancer with peritoneal metastasis",
    hooks=ALL_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.INTERVENTIONS,
        Fact.MEDICATION_HISTORY,
        Fact.DRAFT_ORDERS,
    ),
    statements=LUNG_NOT_STANDARD,
    version="2.0.0",
)
def hipec_for_lung(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """CRS/HIPEC is not standard for lung cancer with PM; systemic chemotherapy comes first. Warning on order
    hooks (only with CRS or HIPEC under review) and on a patient-view whose chart has a CRS/HIPEC order or plan
    not yet done; info on any other lung + PM patient-view (no choice against the recommendation made). The
    systemic therapy on record is shown in summary and detail ("none on record" when there is none); every
    coded metastatic site is counted and named, the sites outside the peritoneum in the summary too."""
    chart = _crs_hipec_chart(picture, context, Cancer.LUNG)
    if chart is None:
        return None
    condition, shown = chart
    on_view = context.hook in VIEW_HOOKS
    outside = _outside(picture)
    lines = [
        *chart_lines(picture, condition),
        *site_lines(picture),
        *intervention_lines(shown),
        therapy_line(picture),
    ]
    if not on_view:
        head, verdict = f"CRS/HIPEC {_chosen(context)} for lung cancer with PM", "not standard"
    elif _planned(shown):
        head, verdict = "CRS/HIPEC planned for lung cancer with PM", "not standard"
    else:
        head, verdict = "Lung cancer with PM", "CRS/HIPEC not standard"
    therapy = (
        f"therapy on record: {short(therapy_text(picture), 30)}"
        if picture.therapy_history()
        else "no systemic therapy on record"
    )
    summary = _fitting(
        f"{head}{_also(outside)}: {verdict}; systemic chemotherapy first ({therapy})",
        f"{head}{_also(outside)}: {verdict}; systemic chemotherapy first",
        f"{head}{_also(outside, 30)}: {verdict}; systemic chemotherapy first",
    )
    indicator = _choice_indicator(context, shown)
    return Finding(indicator, summary, "\n".join([*lines, "", guideline(*LUNG_NOT_STANDARD)]))


@rule(
    id="HIPEC-CRC-PCI",
    title="CRS/HIPEC for colorectal peritoneal metastasis: the peritoneal cancer index",
    hooks=ALL_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.PERITONEAL_SCORES,
        Fact.INTERVENTIONS,
        Fact.DRAFT_ORDERS,
    ),
    statements=(*PCI_EVIDENCE, *DISTANT_EXPLORATION, *DISTANT_PREREQUISITE),
    version="2.0.0",
)
def hipec_colorectal_pci(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Colorectal PM: PCI ≥ 20 warning (outside the limited disease of the evidence); PCI < 20 info (candidate
    in an experienced centre if complete resection is possible, the prerequisite of HIPEC) unless the latest
    CCR on record is 2 or more and not older than the PCI (a CCR dated before the PCI is taken to be from an
    earlier operation, and the detail says so): then the info card names that CCR instead of calling the
    patient a candidate (HIPEC-CCR warns on a HIPEC order); no PCI on record: info asking for it (diagnostic
    laparoscopy, the 5-point operative report). No CCR on record: the card says so in its detail.

    Metastases outside the peritoneum on record (any coded site; catalog revision 2): the card names them and
    says that distant metastases are to be evaluated before any treatment and that the evidence is for limited
    peritoneal disease, and never calls the patient a candidate; a warning on order hooks, info on patient-view
    (a warning there too when the PCI is 20 or more). Every metastatic site on record is counted in the detail.
    Order hooks: only with CRS or HIPEC under review."""
    chart = _crs_hipec_chart(picture, context, Cancer.COLORECTAL)
    if chart is None:
        return None
    condition, shown = chart
    on_view = context.hook in VIEW_HOOKS
    outside = _outside(picture)
    pci = picture.score(Scale.PCI)
    ccr = picture.score(Scale.CCR)
    lines = [
        *chart_lines(picture, condition),
        *site_lines(picture),
        *intervention_lines(shown),
        f"- {score_text(pci, Scale.PCI)}.",
        f"- {score_text(ccr, Scale.CCR)}.",
    ]
    lead = "Colorectal PM" if on_view else f"CRS/HIPEC {_chosen(context)}, colorectal PM"
    if pci is None:
        if outside:
            summary = _fitting(
                f"{lead}{_also(outside)}, no PCI on record: evaluate distant disease before any treatment",
                f"{lead}{_also(outside, 30)}, no PCI on record: evaluate distant disease first",
            )
            detail = "\n".join(
                [*lines, _distant_line(outside), "", guideline(*PCI_EVIDENCE, *DISTANT_EXPLORATION)]
            )
            return Finding(_distant_indicator(context), summary, detail)
        summary = (
            f"{lead} with no PCI on record: document it (diagnostic laparoscopy) before deciding on CRS/HIPEC"
        )
        detail = "\n".join([*lines, "", guideline(*PCI_EVIDENCE, *EXPLORATION)])
        return Finding(Indicator.INFO, summary, detail)
    when = f" on {day(pci.on)}" if pci.on else ""
    residual = ccr if ccr is not None and ccr.value > CCR_SCORE["max_for_hipec"] else None
    incomplete = residual if residual is not None and not _before(residual.on, pci.on) else None
    if residual is not None and incomplete is None:
        lines.append(
            f"- The CCR {residual.value} on record predates the PCI{when}: it is taken to be from an earlier "
            "operation, and the PCI to be a new assessment."
        )
    limit = COLORECTAL_PCI_EVIDENCE.param("pci")
    residual_size = CCR_SCORE.param("residual")
    ccr_when = f" ({day(incomplete.on)})" if incomplete is not None and incomplete.on else ""
    if pci.value >= limit.value:
        facts = f"PCI {pci.value}{when}"
        verdict = f"- PCI {pci.value} is at or above {limit}."
        verdicts = [f"the CRS/HIPEC evidence is for limited disease, PCI < {limit}"]
        indicator = Indicator.WARNING
    elif incomplete is not None:
        facts = f"PCI {pci.value}{when} (< {limit}), but CCR-{incomplete.value}{ccr_when} on record"
        verdict = (
            f"- PCI {pci.value} is below {limit}, but the latest CCR is {incomplete.value}: residual deposits "
            f"larger than {residual_size}, not the complete resection HIPEC requires."
        )
        verdicts = [
            f"residual > {residual_size}; complete resection is a prerequisite for HIPEC",
            f"residual > {residual_size}; HIPEC needs complete resection",
        ]
        indicator = Indicator.INFO
    else:
        facts = f"PCI {pci.value}{when} (< {limit})"
        verdict = f"- PCI {pci.value} is below {limit}."
        verdicts = [
            f"{'CRS/HIPEC ' if on_view else ''}candidate in an experienced centre if complete resection is possible"
        ]
        indicator = Indicator.INFO
    if not outside:
        briefer = facts.replace(f" (< {limit})", "").replace(" on record", "")
        summary = _fitting(*(f"{lead}, {f}: {v}" for v in verdicts for f in (facts, briefer)))
        detail = "\n".join([*lines, verdict, "", guideline(*PCI_EVIDENCE, *CCR_PREREQUISITE)])
        return Finding(indicator, summary, detail)
    # Disease outside the peritoneum: never "candidate"; the distant disease and the limited-disease evidence.
    ccr_facts = f", CCR-{incomplete.value}" if incomplete is not None else ""
    full_facts = f"PCI {pci.value}{when}{ccr_facts}{ccr_when}"
    short_facts = f"PCI {pci.value}{ccr_facts}"
    if pci.value >= limit.value:
        distant_verdicts = [
            f"the CRS/HIPEC evidence is for limited disease, PCI < {limit}",
            f"the evidence is for limited disease, PCI < {limit}",
        ]
    else:
        distant_verdicts = [
            "evaluate distant disease before any treatment; evidence is for limited PM",
            "evaluate distant disease before any treatment",
            "evaluate distant disease first",
        ]
        indicator = _distant_indicator(context)
    summary = _fitting(
        *(f"{lead}, {f}{_also(outside)}: {v}" for f in (full_facts, short_facts) for v in distant_verdicts),
        f"{lead}, {short_facts}{_also(outside, 30)}: {distant_verdicts[-1]}",
    )
    detail = "\n".join(
        [*lines, verdict, _distant_line(outside), "", guideline(*PCI_EVIDENCE, *DISTANT_PREREQUISITE)]
    )
    return Finding(indicator, summary, detail)


def _distant_line(outside: list[SiteGroup]) -> str:
    """What the colorectal card says of metastases outside the peritoneum: no more than the review does."""
    return (
        f"- Metastases outside the peritoneum are on record ({_elsewhere(outside)}): distant disease is to be "
        "evaluated before any treatment, and the CRS/HIPEC evidence is for limited peritoneal disease."
    )


def _distant_indicator(context: HookContext) -> Indicator:
    """Metastases outside the peritoneum with CRS/HIPEC under review: a warning on order hooks (the choice runs
    ahead of the evaluation the review asks for); info on patient-view, guidance only."""
    return Indicator.INFO if context.hook in VIEW_HOOKS else Indicator.WARNING


@rule(
    id="HIPEC-CCR",
    title="HIPEC ordered after incomplete cytoreduction",
    hooks=ORDER_HOOKS,
    requires=(Fact.PERITONEAL_SCORES, Fact.INTERVENTIONS, Fact.DRAFT_ORDERS),
    statements=CCR_PREREQUISITE,
    version="2.0.0",
)
def hipec_after_incomplete_cytoreduction(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a HIPEC order under review while the latest CCR score is 2 or more (residual deposits over
    2.5 mm): a confirmed possibility of complete resection is a prerequisite for HIPEC. CCR 0-1, or no CCR
    score on record: no card (the PCI card asks for the surgical assessment). The authors' series, which gave
    HIPEC after CCR-0/1, is cited as that, not as a rule."""
    reviewed = picture.interventions_under_review(InterventionKind.HIPEC)
    ccr = picture.score(Scale.CCR)
    if not reviewed or ccr is None or ccr.value <= CCR_SCORE["max_for_hipec"]:
        return None
    when = f" ({day(ccr.on)})" if ccr.on else ""
    residual = CCR_SCORE.param("residual")
    summary = _fitting(
        f"HIPEC ordered after CCR-{ccr.value}{when}, residual > {residual}: a confirmed possibility of complete "
        "resection is a prerequisite for HIPEC",
        f"HIPEC ordered after CCR-{ccr.value}{when}, residual > {residual}: complete resection is a prerequisite "
        "for HIPEC",
    )
    lines = [
        *(primary_line(c) for c in picture.cancer_conditions),
        *([pm_line(picture)] if picture.has_peritoneal_metastasis else []),
        *intervention_lines(reviewed),
        f"- {score_text(ccr, Scale.CCR)}: residual deposits larger than {residual}, so the resection was not "
        "complete.",
    ]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", guideline(*CCR_PREREQUISITE)]))


@rule(
    id="HIPEC-PROPHYLACTIC",
    title="Proactive HIPEC for high-risk colorectal cancer without peritoneal metastasis",
    hooks=ORDER_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.TUMOR_RISK_FEATURES,
        Fact.INTERVENTIONS,
        Fact.DRAFT_ORDERS,
    ),
    statements=PROACTIVE_EVIDENCE,
    version="1.0.0",
)
def proactive_hipec(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: HIPEC ordered for colorectal cancer with no peritoneal metastasis on record and a T4 tumour or
    perforation. No risk feature on record, or PM on record: no card (HIPEC-CRC-PCI speaks for PM). The trials
    tested oxaliplatin HIPEC: the card says which drug the order names, if any."""
    reviewed = picture.interventions_under_review(InterventionKind.HIPEC)
    condition = primary(picture, Cancer.COLORECTAL)
    if not reviewed or condition is None or picture.has_peritoneal_metastasis or not picture.risk_features:
        return None
    features = sorted({f.feature.value for f in picture.risk_features})
    drugs = {d for i in reviewed for d in i.drugs}
    if Drug.OXALIPLATIN in drugs:
        drug_note = "The order is oxaliplatin-based, as in both trials."
    elif drugs:
        drug_note = (
            f"The order names {', '.join(sorted(d.value for d in drugs))}; both trials tested oxaliplatin "
            "HIPEC, and the source reports no trial of other drugs in this setting."
        )
    else:
        drug_note = "The order names no drug; both trials tested oxaliplatin HIPEC."
    summary = (
        f"HIPEC ordered for colorectal cancer without PM ({', '.join(features)}): proactive oxaliplatin HIPEC "
        "is no longer recommended"
    )
    lines = [
        primary_line(condition),
        "- Peritoneal metastasis: none on record.",
        *(f"- Risk feature: {md(f.name)}." for f in picture.risk_features),
        *intervention_lines(reviewed),
    ]
    detail = "\n".join([*lines, "", guideline(*PROACTIVE_EVIDENCE), drug_note])
    return Finding(Indicator.WARNING, summary, detail)


@rule(
    id="HIPEC-OXALIPLATIN",
    title="Oxaliplatin-based HIPEC for colorectal peritoneal metastasis",
    hooks=ORDER_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.INTERVENTIONS, Fact.DRAFT_ORDERS),
    statements=OXALIPLATIN_EVIDENCE,
    version="2.0.0",
)
def oxaliplatin_hipec(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: an oxaliplatin-based HIPEC under review for colorectal PM, known from the order itself (its code
    or order details) or from an oxaliplatin draft in the same call. A HIPEC whose drug is unknown: no card."""
    condition = with_pm(picture, Cancer.COLORECTAL)
    reviewed = picture.interventions_under_review(InterventionKind.HIPEC)
    if condition is None or not reviewed:
        return None
    named = [i for i in reviewed if Drug.OXALIPLATIN in i.drugs]
    drafts = picture.drafts_of(Drug.OXALIPLATIN)
    if not named and not drafts:
        return None
    lines = [*chart_lines(picture, condition), *intervention_lines(reviewed)]
    if not named:
        starts = sorted({o.start for o in drafts if o.start is not None})
        start = f" (start {', '.join(day(s) for s in starts)})" if starts else ""
        lines.append(f"- Oxaliplatin order drafted in the same session{start}, taken as the HIPEC drug.")
    figures = (
        f"{OXALIPLATIN_HIPEC_TRIAL['survival_hipec']:g} vs {OXALIPLATIN_HIPEC_TRIAL.param('survival_crs')}"
    )
    summary = _fitting(
        f"Oxaliplatin HIPEC {_requested(reviewed)}, colorectal PM: no overall-survival gain over CRS alone in a "
        f"randomised trial ({figures}), more complications",
        f"Oxaliplatin HIPEC {_requested(reviewed)}, colorectal PM: no overall-survival gain over CRS alone "
        f"({figures}), more complications",
    )
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*OXALIPLATIN_EVIDENCE)]))


@rule(
    id="HIPEC-HCC-POSTOP",
    title="After CRS/HIPEC for hepatocellular carcinoma: postoperative systemic chemotherapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.INTERVENTIONS, Fact.MEDICATION_HISTORY),
    statements=(HCC_POSTOP_CHEMOTHERAPY,),
    version="1.0.0",
)
def hcc_after_cytoreduction(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: HCC with CRS or HIPEC done, during the postoperative months of chemotherapy (to the same day that
    many calendar months later, inclusive) of the latest dated one; an undated one counts only when no dated one
    exists, and the card then says the date is unknown. Peritoneal metastasis is not required: it may be recorded
    as resolved after complete cytoreduction."""
    condition = primary(picture, Cancer.HCC)
    done = [i for i in picture.interventions if i.done and i.kind in CRS_OR_HIPEC]
    if condition is None or not done:
        return None
    dated = [i.on for i in done if i.on is not None]
    months = HCC_POSTOP_CHEMOTHERAPY.param("months")
    lines = [primary_line(condition)]
    if dated:
        surgery_day = max(dated)
        until = add_months(surgery_day, int(months.value))
        if context.today > until:
            return None
        latest = [i for i in done if i.on == surgery_day]
        lines += intervention_lines(latest)
        lines.append(
            f"- {day(surgery_day)} + {months} = {day(until)} (date arithmetic, not a date the guideline gives)."
        )
        summary = (
            f"{_done_text(latest)} done {day(surgery_day)} for HCC: continue systemic chemotherapy for "
            f"{months} (until about {day(until)})"
        )
    else:
        lines += intervention_lines(done)
        summary = (
            f"{_done_text(done)} done for HCC (date not on record): continue systemic chemotherapy for "
            f"{months} after surgery"
        )
    lines.append(therapy_line(picture))
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(HCC_POSTOP_CHEMOTHERAPY)]))


@rule(
    id="PIPAC-PALLIATIVE",
    title="PIPAC for colorectal peritoneal metastasis",
    hooks=ORDER_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.INTERVENTIONS,
        Fact.PERITONEAL_SCORES,
        Fact.DRAFT_ORDERS,
    ),
    statements=PIPAC_EVIDENCE,
    version="1.0.0",
)
def pipac_palliative(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: PIPAC under review for colorectal PM is a palliative option without a clear indication yet. No
    colorectal primary or no PM on record: no card. The PCI is shown when on record, named missing otherwise."""
    condition = with_pm(picture, Cancer.COLORECTAL)
    reviewed = picture.interventions_under_review(InterventionKind.PIPAC)
    if condition is None or not reviewed:
        return None
    pci = picture.score(Scale.PCI)
    lines = [
        *chart_lines(picture, condition),
        *intervention_lines(reviewed),
        f"- {score_text(pci, Scale.PCI)}.",
    ]
    pci_text = f"PCI {pci.value}" if pci else "PCI not on record"
    summary = (
        f"PIPAC {_requested(reviewed)}, colorectal PM ({pci_text}): palliative, for non-resectable PM or if "
        "ineligible for radical treatment"
    )
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*PIPAC_EVIDENCE)]))

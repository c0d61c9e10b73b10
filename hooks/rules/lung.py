"""Lung cancer with peritoneal metastasis: molecular testing, KRAS and targeted therapy, palliation (catalog §3).

Peritoneal metastasis from lung cancer is advanced disease with a very poor
prognosis; systemic chemotherapy is the primary treatment, goals are palliative; molecular testing (EGFR, ALK,
ROS1, KRAS) should guide the choice of systemic therapy, and KRAS mutations predict a poor response to targeted
therapies (hooks/statements/lung.py). The CRS/HIPEC card of lung cancer (HIPEC-LUNG) lives in the cytoreduction module.

Revision 2 of the catalog: a driver alteration found (a variant in EGFR, ALK, ROS1 or KRAS) ends the request for
testing, as the result now guides therapy; the palliation card counts every coded metastatic site, names them, and
says the source's median survival only of the group the source gives it for (adenosquamous carcinoma with the
peritoneum the only metastatic site).
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
    DRUG_CLASSES,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    DrugClass,
    Fact,
    Gene,
    GeneResult,
    MedicationOrder,
    MetastaticSite,
    Orderable,
)
from hooks.rules.chart import (
    chart_lines,
    therapy_text,
    with_pm,
)
from hooks.rules.wording import day, guideline, md, short
from hooks.statements.lung import (
    LUNG_ISOLATED_PM_SURVIVAL,
    LUNG_MOLECULAR_TESTING,
    LUNG_PALLIATIVE_GOALS,
    LUNG_PALLIATIVE_IP_CHEMOTHERAPY,
    LUNG_PM_CONTEXT,
    LUNG_SYSTEMIC_CHEMOTHERAPY,
)

VERSION = "1.1.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""

MOLECULAR_PANEL = (Gene.EGFR, Gene.ALK, Gene.ROS1, Gene.KRAS)
"""The genes whose testing the source says should guide the choice of systemic therapy. While no driver is found,
each gene still stands for its own therapy decision (EGFR and ALK, ROS1 inhibitors; KRAS, whose mutations predict
a poor response to targeted therapy), so LUNG-MOLECULAR asks for every gene without a conclusive result and names
which. Once a variant is found in any of them, that result guides therapy and the card ends (catalog revision 2)."""
KRAS_POOR_RESPONSE_CLASS = DrugClass.TARGETED
"""The drug class to which KRAS mutations predict a poor response."""
ADENOSQUAMOUS = "adenosquamous"
"""The histology (`CancerCondition.histology`) of the group the source gives a median survival for, with the
peritoneum the only metastatic site."""

PALLIATION_STATEMENTS = (
    LUNG_SYSTEMIC_CHEMOTHERAPY,
    LUNG_PALLIATIVE_IP_CHEMOTHERAPY,
    LUNG_MOLECULAR_TESTING,
    LUNG_PM_CONTEXT,
    LUNG_ISOLATED_PM_SURVIVAL,
    LUNG_PALLIATIVE_GOALS,
)
SUMMARY_LIMIT = 140
"""A card summary stays under this many characters (CDS Hooks)."""


def conclusive(results: tuple[GeneResult, ...], gene: Gene) -> GeneResult | None:
    """The latest result for `gene` that says whether a variant was found (results are sorted by date,
    undated first), or None."""
    answered = [r for r in results if r.gene is gene and r.mutated is not None]
    return answered[-1] if answered else None


def _when(on: date | None) -> str:
    return f"on {day(on)}" if on else "undated"


def gene_line(results: tuple[GeneResult, ...], gene: Gene) -> str:
    result = conclusive(results, gene)
    found = found_variant(results, gene)
    if found is not None:
        variant = md(found.variant) if found.variant else "variant not stated"
        line = f"- {gene.value}: variant present ({variant}), {_when(found.on)}"
        if result is not None and not result.mutated:
            return f"{line}; a later result found none, {_when(result.on)}: the two results disagree."
        return f"{line}."
    if result is not None:
        return f"- {gene.value}: no variant found, {_when(result.on)}."
    open_ = [r for r in results if r.gene is gene]
    if len(open_) == 1:
        return f"- {gene.value}: the result ({_when(open_[0].on)}) does not say whether a variant was found."
    if open_:
        whens = "; ".join(_when(r.on) for r in open_)
        return f"- {gene.value}: the results ({whens}) do not say whether a variant was found."
    return f"- {gene.value}: no result on record."


def _names(genes: list[Gene] | tuple[Gene, ...], last: str = "or") -> str:
    values = [g.value for g in genes]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" {last} " + values[-1]


def found_variant(results: tuple[GeneResult, ...], gene: Gene) -> GeneResult | None:
    """The latest result for `gene` that found a variant, or None."""
    found = [r for r in results if r.gene is gene and r.mutated]
    return found[-1] if found else None


def drivers_found(results: tuple[GeneResult, ...]) -> tuple[GeneResult, ...]:
    """For each gene of the panel with a variant found in any result, its latest such result: the driver
    alterations on record, in panel order. A later result that found no variant does not undo a positive one
    (a negative plasma test, say, does not rule out a variant found in the tumour), so the chart keeps its driver
    and the card says both results."""
    return tuple(r for g in MOLECULAR_PANEL if (r := found_variant(results, g)) is not None)


@rule(
    id="LUNG-MOLECULAR",
    title="Lung cancer with peritoneal metastasis: molecular testing to guide systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MOLECULAR_RESULTS),
    statements=(LUNG_MOLECULAR_TESTING,),
    version=VERSION,
)
def lung_molecular_testing(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning with an order for the testing: no driver alteration found, and one or more of EGFR, ALK, ROS1
    and KRAS without a conclusive result on record (see MOLECULAR_PANEL for why any gene counts). A variant
    found in any of the four ends the card: the result now guides therapy (catalog revision 2), and a later
    negative result does not undo it (`drivers_found`). A result that does not say whether a variant was found
    is not conclusive: the summary says "no conclusive <gene> result" (not "no result on record"), and the
    detail names that result by its date."""
    condition = with_pm(picture, Cancer.LUNG)
    if condition is None or drivers_found(picture.gene_results):
        return None
    missing = [g for g in MOLECULAR_PANEL if conclusive(picture.gene_results, g) is None]
    if not missing:
        return None
    absent = [g for g in missing if not any(r.gene is g for r in picture.gene_results)]
    open_ = [g for g in missing if g not in absent]
    gaps = [
        *([f"no {_names(absent)} result on record"] if absent else []),
        *([f"no conclusive {_names(open_)} result"] if open_ else []),
    ]
    summary = f"Lung cancer with peritoneal metastasis, {', '.join(gaps)}: test to guide systemic therapy"
    lines = [
        *chart_lines(picture, condition),
        *(gene_line(picture.gene_results, g) for g in MOLECULAR_PANEL),
    ]
    panel = _names(MOLECULAR_PANEL, "and")
    suggestion = SuggestionSpec(
        f"Order {panel} testing",
        (
            CreateServiceRequest(
                Orderable.LUNG_MOLECULAR_TESTING,
                f"Order molecular testing of {panel} (unanswered: {', '.join(missing)})",
            ),
        ),
    )
    return Finding(
        Indicator.WARNING, summary, "\n".join([*lines, "", guideline(LUNG_MOLECULAR_TESTING)]), (suggestion,)
    )


def targeted_orders(picture: ClinicalPicture) -> tuple[MedicationOrder, ...]:
    return tuple(
        o
        for o in picture.medication_orders
        if o.under_review and KRAS_POOR_RESPONSE_CLASS in DRUG_CLASSES.get(o.drug, frozenset())
    )


@rule(
    id="LUNG-KRAS",
    title="Targeted therapy for lung cancer with a KRAS mutation",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MOLECULAR_RESULTS),
    statements=(LUNG_MOLECULAR_TESTING,),
    version=VERSION,
)
def lung_kras_targeted(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a targeted therapy under review for lung cancer with peritoneal metastasis, and the latest
    conclusive KRAS result on record shows a variant. No card when the KRAS status is unknown (no result, or
    only results that do not say whether a variant was found; LUNG-MOLECULAR asks for the test on patient-view)
    or when the latest conclusive result found no variant."""
    condition = with_pm(picture, Cancer.LUNG)
    orders = targeted_orders(picture)
    if condition is None or not orders:
        return None
    kras = conclusive(picture.gene_results, Gene.KRAS)
    if kras is None or not kras.mutated:
        return None
    variant = short(kras.variant, 30) if kras.variant else "mutation"
    drugs = sorted({o.drug.value for o in orders})
    when = day(kras.on) if kras.on else "undated"
    summary = (
        f"{' and '.join(drugs).capitalize()} ordered with KRAS {variant} on record ({when}): KRAS mutations "
        "predict poor response to targeted therapy"
    )
    lines = [
        *chart_lines(picture, condition),
        *(f"- Targeted therapy under review: {o.drug.value}." for o in orders),
        gene_line(picture.gene_results, Gene.KRAS),
    ]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", guideline(LUNG_MOLECULAR_TESTING)]))


def site_groups(picture: ClinicalPicture) -> list[tuple[MetastaticSite, list[str]]]:
    """The metastatic sites on record, each once, peritoneal first (then in record order), with the names of
    their conditions. Peritoneum and omentum are one site; sites the facts do not name (other) are told apart
    by their codes."""
    groups: dict[str, tuple[MetastaticSite, list[str]]] = {}
    for m in sorted(picture.metastases, key=lambda m: not m.peritoneal):
        site = MetastaticSite.PERITONEUM if m.peritoneal else m.site
        groups.setdefault(m.site_key, (site, []))[1].append(m.name)
    return list(groups.values())


def site_name(site: MetastaticSite, names: list[str], summary: bool = False) -> str:
    """A site as a clinician names it; a site the facts do not name is named by its first condition in the
    detail, and as "other" in a summary."""
    if site is MetastaticSite.OTHER and not summary:
        return md(names[0])
    return site.value


def adenosquamous_primary(picture: ClinicalPicture) -> CancerCondition | None:
    """The lung primary on record whose code says adenosquamous carcinoma, if any."""
    return next(
        (c for c in picture.cancer_conditions if c.cancer is Cancer.LUNG and c.histology == ADENOSQUAMOUS),
        None,
    )


def _fitted(*candidates: str) -> str:
    """The first candidate summary under the limit (the last one, the shortest, otherwise)."""
    return next((c for c in candidates if len(c) < SUMMARY_LIMIT), candidates[-1])


@rule(
    id="LUNG-PALLIATION",
    title="Lung cancer with peritoneal metastasis: systemic chemotherapy and palliative goals",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY, Fact.MOLECULAR_RESULTS),
    statements=PALLIATION_STATEMENTS,
    version=VERSION,
)
def lung_palliation(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info for every chart with lung cancer and peritoneal metastasis: systemic chemotherapy is primary and
    the goals palliative. Every coded metastatic site on record is counted (peritoneum and omentum are one
    site) and named. The source's median survival (under two months) is that of adenosquamous carcinoma with
    the peritoneum the only metastatic site: it is said only when the chart is such a one (a lung primary
    coded as adenosquamous, no metastatic site but the peritoneum on record); other charts hear what the source
    says of lung cancer with peritoneal metastasis in general. With a driver alteration found (a variant in
    EGFR, ALK, ROS1 or KRAS), the card names it and says that molecular results guide the choice of systemic
    therapy. Sites missing from the record cannot be counted: the card speaks of sites "on record"."""
    condition = with_pm(picture, Cancer.LUNG)
    if condition is None:
        return None
    adenosquamous = adenosquamous_primary(picture)
    sites = site_groups(picture)
    count = len(sites)
    sole = count == 1  # with_pm: the one site is the peritoneum
    survival_group = sole and adenosquamous is not None
    drivers = drivers_found(picture.gene_results)

    lines = chart_lines(picture, adenosquamous or condition)
    if adenosquamous is not None:
        lines.append(f"- Histology: {ADENOSQUAMOUS} carcinoma.")
    if sole:
        lines.append(
            f"- Metastatic sites on record: {count}, the peritoneum only (isolated peritoneal involvement)."
        )
    else:
        others = "; ".join(md(name) for _, names in sites[1:] for name in names)
        lines.append(f"- Other metastatic sites: {others}.")
        named = ", ".join(site_name(site, names) for site, names in sites)
        lines.append(f"- Metastatic sites on record: {count} ({named}; peritoneum and omentum count as one).")
    lines += [gene_line(picture.gene_results, d.gene) for d in drivers]
    lines.append(f"- Systemic therapy (given or prescribed): {therapy_text(picture)}.")

    if survival_group:
        head = f"{ADENOSQUAMOUS.capitalize()} lung cancer, peritoneum the only metastatic site on record"
        outlook = f"median survival under {LUNG_ISOLATED_PM_SURVIVAL.param('median_survival')}"
    elif sole:
        head = "Lung cancer, peritoneum the only metastatic site on record"
        outlook = "very poor prognosis"
    else:
        head = f"Lung cancer with PM, {count} metastatic sites on record"
        outlook = "very poor prognosis"
    listed = (
        head if sole else f"{head} ({', '.join(site_name(s, names, summary=True) for s, names in sites)})"
    )
    therapy = (
        f"the {_names([d.gene for d in drivers], 'and')} result should guide systemic therapy"
        if drivers
        else "chemotherapy is primary"
    )
    summary = _fitted(
        f"{listed}: {therapy}; {outlook}, palliative goals",
        f"{listed}: {therapy}; {outlook}",
        f"{head}: {therapy}; {outlook}, palliative goals",
        f"{head}: {therapy}; {outlook}",
    )
    treatment = (
        LUNG_SYSTEMIC_CHEMOTHERAPY,
        LUNG_PALLIATIVE_IP_CHEMOTHERAPY,
        *((LUNG_MOLECULAR_TESTING,) if drivers else ()),
    )
    prognosis = (
        LUNG_PM_CONTEXT,
        *((LUNG_ISOLATED_PM_SURVIVAL,) if survival_group else ()),
        LUNG_PALLIATIVE_GOALS,
    )
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*treatment, *prognosis)]))

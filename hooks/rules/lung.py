"""Lung cancer with peritoneal metastasis: molecular testing, KRAS and targeted therapy, palliation (catalog §3).

Peritoneal metastasis from lung cancer is advanced disease with a very poor
prognosis; systemic chemotherapy is the primary treatment, goals are palliative; molecular testing (EGFR, ALK,
ROS1, KRAS) should guide the choice of systemic therapy, and KRAS mutations predict a poor response to targeted
therapies (hooks/statements/lung.py). The CRS/HIPEC card of lung cancer (HIPEC-LUNG) lives in the cytoreduction module.
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
    ClinicalPicture,
    DrugClass,
    Fact,
    Gene,
    GeneResult,
    MedicationOrder,
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

VERSION = "1.0.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""

MOLECULAR_PANEL = (Gene.EGFR, Gene.ALK, Gene.ROS1, Gene.KRAS)
"""The genes whose testing the source says should guide the choice of systemic therapy. Each one stands for its
own therapy decision (EGFR and ALK, ROS1 inhibitors; KRAS, whose mutations predict a poor response to targeted
therapy), so a panel with one gene unanswered cannot guide that decision: LUNG-MOLECULAR fires when ANY of the
four has no conclusive result, and names which."""
KRAS_POOR_RESPONSE_CLASS = DrugClass.TARGETED
"""The drug class to which KRAS mutations predict a poor response."""

PALLIATION_STATEMENTS = (
    LUNG_SYSTEMIC_CHEMOTHERAPY,
    LUNG_PALLIATIVE_IP_CHEMOTHERAPY,
    LUNG_PM_CONTEXT,
    LUNG_ISOLATED_PM_SURVIVAL,
    LUNG_PALLIATIVE_GOALS,
)


def conclusive(results: tuple[GeneResult, ...], gene: Gene) -> GeneResult | None:
    """The latest result for `gene` that says whether a variant was found (results are sorted by date,
    undated first), or None."""
    answered = [r for r in results if r.gene is gene and r.mutated is not None]
    return answered[-1] if answered else None


def _when(on: date | None) -> str:
    return f"on {day(on)}" if on else "undated"


def gene_line(results: tuple[GeneResult, ...], gene: Gene) -> str:
    result = conclusive(results, gene)
    if result is not None:
        if result.mutated:
            variant = md(result.variant) if result.variant else "variant not stated"
            return f"- {gene.value}: variant present ({variant}), {_when(result.on)}."
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


@rule(
    id="LUNG-MOLECULAR",
    title="Lung cancer with peritoneal metastasis: molecular testing to guide systemic therapy",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MOLECULAR_RESULTS),
    statements=(LUNG_MOLECULAR_TESTING,),
    version=VERSION,
)
def lung_molecular_testing(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning with an order for the testing: one or more of EGFR, ALK, ROS1 and KRAS has no conclusive
    result on record (see MOLECULAR_PANEL for why any gene counts). A result that does not say whether a
    variant was found is not conclusive: the summary says "no conclusive <gene> result" (not "no result on
    record"), and the detail names that result by its date."""
    condition = with_pm(picture, Cancer.LUNG)
    if condition is None:
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


@rule(
    id="LUNG-PALLIATION",
    title="Lung cancer with peritoneal metastasis: systemic chemotherapy and palliative goals",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.MEDICATION_HISTORY),
    statements=PALLIATION_STATEMENTS,
    version=VERSION,
)
def lung_palliation(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info for every chart with lung cancer and peritoneal metastasis: systemic chemotherapy is primary and
    the goals palliative. The metastatic sites on record are counted (peritoneum and omentum are one site);
    when peritoneum is the only one, the card says so with what the source says of isolated involvement (its
    median survival is quoted with its histology, adenosquamous, which the facts do not carry). Sites missing
    from the record cannot be counted: the card speaks of sites "on record"."""
    condition = with_pm(picture, Cancer.LUNG)
    if condition is None:
        return None
    count = picture.metastatic_site_count
    others = [m for m in picture.metastases if not m.peritoneal]
    lines = chart_lines(picture, condition)
    if count == 1:
        summary = (
            "Lung cancer, peritoneum the only metastatic site on record: chemotherapy is primary; very poor "
            "prognosis, palliative goals"
        )
        lines.append(
            f"- Metastatic sites on record: {count}, the peritoneum only (isolated peritoneal involvement)."
        )
        prognosis = (LUNG_PALLIATIVE_GOALS, LUNG_ISOLATED_PM_SURVIVAL)
    else:
        summary = (
            f"Lung cancer with peritoneal metastasis, {count} metastatic sites on record: chemotherapy is "
            "primary; palliative goals"
        )
        names = "; ".join(md(m.name) for m in others)
        lines.append(f"- Other metastatic sites: {names}.")
        lines.append(f"- Metastatic sites on record: {count} (peritoneum and omentum count as one).")
        prognosis = (LUNG_PM_CONTEXT, LUNG_PALLIATIVE_GOALS)
    lines.append(f"- Systemic therapy (given or prescribed): {therapy_text(picture)}.")
    treatment = (LUNG_SYSTEMIC_CHEMOTHERAPY, LUNG_PALLIATIVE_IP_CHEMOTHERAPY)
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", guideline(*treatment, *prognosis)]))

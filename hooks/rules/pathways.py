"""General peritoneal-metastasis guidance, and the pathways of ovarian and breast primaries (catalog §3).

All of it rests on the carcinomatosis overview. PM-GENERAL is the fallback: it gives way to any pathway card of
the primary (HCC, lung, cervical, ovarian, breast; catalog "How many cards"), and colorectal charts keep it, as
their guidance is on the CRS/HIPEC cards. OV-DOUBLET needs an ovarian primary with PM; BR-OLIGO a breast
primary whose single metastatic site is the peritoneum (omentum included): a breast chart with one site
elsewhere (bone or liver only) is outside this service's PM scope and gets no card, like every chart without PM.

Revision 2 of the catalog: PM-GENERAL and BR-OLIGO count every coded metastatic site (any code system; peritoneum
and omentum one site) and name the sites on record; "PM only" and "single site" are said only when true.
"""

from __future__ import annotations

from cds_service.engine.statements import Statement
from cds_service.engine.types import VIEW_HOOKS, Finding, HookContext, Indicator, rule
from fhir_mappings.facts import Cancer, ClinicalPicture, Fact, MetastaticSite, Scale
from hooks.rules.chart import (
    pm_line,
    primary_line,
    score_text,
    status_line,
    therapy_line,
    therapy_text,
    with_pm,
)
from hooks.rules.wording import md, short
from hooks.statements.pathways import (
    BREAST_OLIGOMETASTATIC_SUBSET,
    BREAST_TASK_FORCE,
    CARE_GOALS,
    OVARIAN_BEVACIZUMAB_FIRST_LINE,
    OVARIAN_BEVACIZUMAB_RECURRENCE,
    OVARIAN_CARBOPLATIN_PACLITAXEL,
    OVARIAN_DOSE_DENSE_PACLITAXEL,
    PRIMARY_CANCER_TYPE,
    SPREAD_FITNESS_AND_OPTIONS,
)

VERSION = "1.1.0"
"""The version of these rules, built from numbers: a rule module's string literals hold no digit."""

PATHWAY_RULES = (
    "HIPEC-HCC",
    "HIPEC-LUNG",
    "HIPEC-HCC-POSTOP",
    "HCC-FIRSTLINE",
    "HCC-AFP-MONITOR",
    "HCC-PROGRESSION",
    "LUNG-MOLECULAR",
    "LUNG-PALLIATION",
    "CERV-FIRSTLINE",
    "CERV-SECONDLINE",
    "CERV-OMENTAL-RESECTION",
    "OV-DOUBLET",
    "BR-OLIGO",
)
"""Patient-view cards that carry the guidance of a primary's own pathway (catalog §3, and the CRS/HIPEC cards
that speak for HCC and lung), so PM-GENERAL stays away when one of them is shown."""


def metastatic_sites(picture: ClinicalPicture, summary: bool = False) -> list[str]:
    """The metastatic sites on record, each once as `ClinicalPicture.metastatic_site_count` counts them (its
    `site_key`), peritoneal first, then in record order: a named organ by its name ("liver", "bone"), the
    peritoneum and omentum as "peritoneum", a site the facts do not name by its first condition's name (in a
    summary: "other site", said once however many there are)."""
    named: dict[str, str] = {}
    for m in sorted(picture.metastases, key=lambda m: not m.peritoneal):
        if m.peritoneal:
            name = MetastaticSite.PERITONEUM.value
        elif m.site is not MetastaticSite.OTHER:
            name = m.site.value
        else:
            name = "other site" if summary else md(m.name)
        named.setdefault(m.site_key, name)
    return list(dict.fromkeys(named.values())) if summary else list(named.values())


SUMMARY_LIMIT = 140
"""A card summary stays under this many characters (CDS Hooks)."""


def _fitted(*candidates: str) -> str:
    """The first candidate summary under the limit (the last one, the shortest, otherwise)."""
    return next((c for c in candidates if len(c) < SUMMARY_LIMIT), candidates[-1])


def guidance(*parts: str) -> list[str]:
    """The guideline part of a detail, one statement or note a line, the first introduced as "Guideline:"."""
    first, *rest = parts
    lead = first[0].lower() + first[1:] if first[1:2].islower() else first
    return [f"Guideline: {lead}", *rest]


def said_with_caveats(statement: Statement) -> str:
    """A statement with the source's own reservations about it, which a card must not leave out."""
    return " ".join([statement.said(), *statement.caveats])


@rule(
    id="PM-GENERAL",
    title="Peritoneal metastasis: goals and options of management",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.PERFORMANCE_STATUS),
    statements=(CARE_GOALS, PRIMARY_CANCER_TYPE, SPREAD_FITNESS_AND_OPTIONS),
    version=VERSION,
    yields_to=PATHWAY_RULES,
)
def general_guidance(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: the general goals and options, with what this chart says of each consideration: every coded
    metastatic site is counted and named (summary and detail). Needs a primary on record (PM-UNKNOWN-PRIMARY
    speaks otherwise); a missing performance status is named as missing."""
    if not picture.has_peritoneal_metastasis or not picture.cancer_conditions:
        return None
    condition = picture.cancer_conditions[0]
    sites = picture.metastatic_site_count
    ecog = picture.score(Scale.ECOG)
    karnofsky = picture.score(Scale.KARNOFSKY)
    status = f"ECOG {ecog.value}" if ecog else "no ECOG on record"
    counted = f"{sites} metastatic site{'s' if sites != 1 else ''}"
    lead = f"PM, {short(condition.name, 50)}: aim for survival and quality of life"
    summary = _fitted(
        f"{lead} ({counted}: {', '.join(metastatic_sites(picture, summary=True))}; {status})",
        f"PM, {short(condition.name, 30)}: aim for survival and quality of life ({counted}: "
        f"{short(', '.join(metastatic_sites(picture, summary=True)), 30)}; {status})",
        f"{lead} ({counted}, {status})",
    )
    lines = [
        *(primary_line(c) for c in picture.cancer_conditions),
        pm_line(picture),
        f"- Metastatic sites on record: {sites}: {', '.join(metastatic_sites(picture))} (peritoneum and omentum "
        "count as one).",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}; {score_text(karnofsky, Scale.KARNOFSKY)}.",
    ]
    said = guidance(CARE_GOALS.said(), PRIMARY_CANCER_TYPE.said(), SPREAD_FITNESS_AND_OPTIONS.said())
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *said]))


@rule(
    id="PM-UNKNOWN-PRIMARY",
    title="Peritoneal metastasis with no primary cancer on record",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES),
    statements=(PRIMARY_CANCER_TYPE,),
    version=VERSION,
)
def unknown_primary(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: peritoneal metastasis is recorded and no primary cancer is: management depends on it."""
    if not picture.has_peritoneal_metastasis or picture.cancer_conditions:
        return None
    first = picture.peritoneal_metastases[0]
    summary = f"{short(first.name, 75)} is on record but no primary cancer: record the primary type"
    lines = [pm_line(picture), "- Primary cancer: none on record."]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", *guidance(PRIMARY_CANCER_TYPE.said())]))


CALVERT_NOTE = "The source names the Calvert formula but gives no target AUC for ovarian cancer."
PLATINUM_SENSITIVITY_NOTE = (
    "The source does not define platinum sensitivity; whether this recurrence is platinum-sensitive is not "
    "derived from the record."
)
OLIGOMETASTATIC_NOTE = (
    "The source does not define oligometastatic disease by a number of sites: this card is shown when the "
    "peritoneum (omentum included) is the only metastatic site on record, and one site with diffuse "
    "carcinomatosis is not necessarily oligometastatic (the source sets solitary lesions against diffuse "
    "disease)."
)


@rule(
    id="OV-DOUBLET",
    title="Ovarian cancer with peritoneal metastasis: carboplatin/paclitaxel and bevacizumab",
    hooks=VIEW_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.MEDICATION_HISTORY,
        Fact.PERFORMANCE_STATUS,
        Fact.DISEASE_STATUS,
    ),
    statements=(
        OVARIAN_CARBOPLATIN_PACLITAXEL,
        OVARIAN_DOSE_DENSE_PACLITAXEL,
        OVARIAN_BEVACIZUMAB_RECURRENCE,
        OVARIAN_BEVACIZUMAB_FIRST_LINE,
    ),
    version=VERSION,
)
def ovarian_doublet(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: the carboplatin/paclitaxel doublet (Calvert-dosed carboplatin, dose-dense weekly paclitaxel) and
    bevacizumab, led by what applies to this patient: a recurrent primary gets the bevacizumab statement for
    platinum-sensitive recurrence first; so does a primary on record only as history or resolved, as peritoneal
    metastasis after a treated primary is its recurrence (not the initial treatment the doublet statement is
    about). Missing therapy history, performance status or disease status are
    named as not on record; without an ovarian primary and PM there is no card."""
    condition = with_pm(picture, Cancer.OVARIAN)
    if condition is None:
        return None
    ecog = picture.score(Scale.ECOG)
    status = f"ECOG {ecog.value}" if ecog else "no ECOG on record"
    therapy = therapy_text(picture)
    recurrence = condition.recurrent or not condition.active
    if recurrence:
        summary = (
            f"Recurrent ovarian cancer with PM ({status}): if platinum-sensitive, bevacizumab with "
            f"chemotherapy improved survival"
        )
    elif picture.therapy_history():
        summary = (
            f"Ovarian cancer with PM ({status}), on record {short(therapy, 36)}: carboplatin (Calvert)/"
            f"paclitaxel guidance"
        )
    else:
        summary = (
            f"Ovarian cancer with PM, no systemic therapy on record ({status}): carboplatin (Calvert) + "
            f"paclitaxel doublet"
        )
    lines = [
        *(primary_line(c) for c in picture.cancer_conditions if c.cancer is Cancer.OVARIAN),
        pm_line(picture),
        f"- Systemic therapy on record: {therapy}.",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}.",
        status_line(picture.disease_status, "not on record"),
    ]
    doublet = [OVARIAN_CARBOPLATIN_PACLITAXEL.said(), CALVERT_NOTE, OVARIAN_DOSE_DENSE_PACLITAXEL.said()]
    bevacizumab = [OVARIAN_BEVACIZUMAB_RECURRENCE.said(), OVARIAN_BEVACIZUMAB_FIRST_LINE.said()]
    said = [*doublet, *bevacizumab]
    if recurrence:
        said = [bevacizumab[0], PLATINUM_SENSITIVITY_NOTE, bevacizumab[1], *doublet]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *guidance(*said)]))


@rule(
    id="BR-OLIGO",
    title="Breast cancer with the peritoneum as its single metastatic site",
    hooks=VIEW_HOOKS,
    requires=(
        Fact.PRIMARY_CANCER,
        Fact.METASTASES,
        Fact.PERFORMANCE_STATUS,
        Fact.PERITONEAL_SCORES,
        Fact.MEDICATION_HISTORY,
    ),
    statements=(BREAST_OLIGOMETASTATIC_SUBSET, BREAST_TASK_FORCE),
    version=VERSION,
)
def breast_oligometastatic(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: metastatic breast cancer whose only metastatic site on record is the peritoneum (omentum included),
    every coded metastasis counted (the facts hold only active metastases), the breast primary being one that
    explains the PM (`ClinicalPicture.cancer_conditions` holds only those: a breast cancer resolved beside an
    active other primary is not one; a breast cancer recorded only as history, with no active primary beside
    it, is, as for the other pathways): if the disease is limited (oligometastatic), an aggressive
    multidisciplinary approach may be discussed; the summary carries the source's caveat (not tested in
    randomised trials). A single site with diffuse carcinomatosis is not shown to be oligometastatic, hence the
    conditional wording.

    The service's scope is peritoneal metastasis, so a breast chart with one non-peritoneal site (bone only,
    liver only) gets no card, like every chart without PM. A missing performance status or PCI is named as not
    on record (the source weighs tolerance of aggressive treatment and extent of spread)."""
    condition = with_pm(picture, Cancer.BREAST)
    if condition is None or picture.metastatic_site_count != BREAST_OLIGOMETASTATIC_SUBSET["solitary"]:
        return None
    ecog = picture.score(Scale.ECOG)
    status = f"ECOG {ecog.value}" if ecog else "no ECOG"
    summary = (
        f"Breast cancer, PM only ({status}): if disease is limited (oligometastatic), an aggressive approach "
        "may be discussed; not tested in RCTs"
    )
    lines = [
        *(primary_line(c) for c in picture.cancer_conditions if c.cancer is Cancer.BREAST),
        pm_line(picture),
        f"- Metastatic sites on record: {picture.metastatic_site_count}, {', '.join(metastatic_sites(picture))} "
        "(omentum included); no other metastatic site on record.",
        f"- Extent of peritoneal disease: {score_text(picture.score(Scale.PCI), Scale.PCI)}.",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}.",
        therapy_line(picture),
    ]
    said = guidance(
        BREAST_OLIGOMETASTATIC_SUBSET.said(), said_with_caveats(BREAST_TASK_FORCE), OLIGOMETASTATIC_NOTE
    )
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", *said]))

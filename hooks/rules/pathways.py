"""General peritoneal-metastasis guidance, and the pathways of ovarian and breast primaries (catalog §3).

Source: CARCINOMATOSIS-OVERVIEW. PM-GENERAL is the fallback: it gives way to any pathway card of the primary
(HCC, lung, cervical, ovarian, breast; catalog "How many cards"), and colorectal charts keep it, as their
guidance is on the CRS/HIPEC cards.
"""

from __future__ import annotations

from datetime import datetime

from cds_service.engine.types import Citation, Finding, HookContext, Indicator, Rule, rule
from fhir_mappings.facts import ClinicalPicture, Fact, Scale
from hooks.rules.chart import VIEW_HOOKS, pm_line, primary_line, score_text
from hooks.rules.wording import short

OVERVIEW_GOALS = Citation("CARCINOMATOSIS-OVERVIEW", 13, 20)
OVERVIEW_SUMMARY = Citation("CARCINOMATOSIS-OVERVIEW", 26, 26)
PRIMARY_DRIVES_MANAGEMENT = Citation("CARCINOMATOSIS-OVERVIEW", 15, 17)

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

GOALS_STATEMENT = (
    "Guideline: carcinomatosis has a generally poor prognosis; treatment aims at longer survival and better "
    "quality of life rather than cure, with systemic chemotherapy, targeted therapies and immunotherapy as "
    "primary options. Management weighs the primary cancer type and its responsiveness, the extent of spread "
    "and the number of organs involved, the patient's overall health and tolerance of aggressive treatment, "
    "and the benefits and risks of each option, including cytoreductive surgery with HIPEC "
    "(CARCINOMATOSIS-OVERVIEW l.13-20, l.26)."
)
PRIMARY_STATEMENT = (
    "Guideline: the primary cancer type, and its potential responsiveness to treatment, is a key consideration "
    "in managing carcinomatosis (CARCINOMATOSIS-OVERVIEW l.15-17)."
)


@rule(
    id="PM-GENERAL",
    title="Peritoneal metastasis: goals and options of management",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES, Fact.PERFORMANCE_STATUS),
    cites=(OVERVIEW_GOALS, OVERVIEW_SUMMARY),
    version="1.0.0",
    yields_to=PATHWAY_RULES,
)
def general_guidance(picture: ClinicalPicture, context: HookContext, now: datetime) -> Finding | None:
    """Info: the general goals and options, with what this chart says of each consideration. Needs a primary
    on record (PM-UNKNOWN-PRIMARY speaks otherwise); a missing performance status is named as missing."""
    if not picture.has_peritoneal_metastasis or not picture.cancer_conditions:
        return None
    condition = picture.cancer_conditions[0]
    sites = picture.metastatic_site_count
    ecog = picture.score(Scale.ECOG)
    karnofsky = picture.score(Scale.KARNOFSKY)
    status = f"ECOG {ecog.value}" if ecog else "performance status not on record"
    summary = (
        f"Peritoneal metastasis, {short(condition.name, 45)}: aim for survival and quality of life "
        f"({sites} metastatic site{'s' if sites != 1 else ''}, {status})"
    )
    lines = [
        *(primary_line(c) for c in picture.cancer_conditions),
        pm_line(picture),
        f"- Metastatic sites on record: {sites}.",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}; {score_text(karnofsky, Scale.KARNOFSKY)}.",
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", GOALS_STATEMENT]))


@rule(
    id="PM-UNKNOWN-PRIMARY",
    title="Peritoneal metastasis with no primary cancer on record",
    hooks=VIEW_HOOKS,
    requires=(Fact.PRIMARY_CANCER, Fact.METASTASES),
    cites=(PRIMARY_DRIVES_MANAGEMENT,),
    version="1.0.0",
)
def unknown_primary(picture: ClinicalPicture, context: HookContext, now: datetime) -> Finding | None:
    """Warning: peritoneal metastasis is recorded and no primary cancer is: management depends on it."""
    if not picture.has_peritoneal_metastasis or picture.cancer_conditions:
        return None
    first = next(m for m in picture.metastases if m.site.value != "other")
    summary = f"{short(first.name, 50)} is on record but no primary cancer: record the primary type"
    lines = [pm_line(picture), "- Primary cancer: none on record."]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", PRIMARY_STATEMENT]))


RULES: tuple[Rule, ...] = (general_guidance, unknown_primary)

"""General peritoneal-metastasis guidance, and the pathways of ovarian and breast primaries (catalog §3).

Source: CARCINOMATOSIS-OVERVIEW. PM-GENERAL is the fallback: it gives way to any pathway card of the primary
(HCC, lung, cervical, ovarian, breast; catalog "How many cards"), and colorectal charts keep it, as their
guidance is on the CRS/HIPEC cards. OV-DOUBLET needs an ovarian primary with PM; BR-OLIGO a breast primary
whose single metastatic site is the peritoneum (omentum included): a breast chart with one site elsewhere (bone
or liver only) is outside this service's PM scope and gets no card, like every chart without PM.
"""

from __future__ import annotations

from cds_service.engine.types import VIEW_HOOKS, Citation, Finding, HookContext, Indicator, Rule, rule
from fhir_mappings.facts import Cancer, ClinicalPicture, Fact, Scale
from hooks.rules.chart import (
    pm_line,
    primary_line,
    score_text,
    status_line,
    therapy_line,
    therapy_text,
    with_pm,
)
from hooks.rules.wording import short

OVERVIEW_GOALS = Citation("CARCINOMATOSIS-OVERVIEW", 13, 20)
OVERVIEW_SUMMARY = Citation("CARCINOMATOSIS-OVERVIEW", 26, 26)
PRIMARY_DRIVES_MANAGEMENT = Citation("CARCINOMATOSIS-OVERVIEW", 15, 17)
OVARIAN_DOUBLET = Citation("CARCINOMATOSIS-OVERVIEW", 32, 34)
OVARIAN_BEVACIZUMAB = Citation("CARCINOMATOSIS-OVERVIEW", 38, 39)
BREAST_OLIGOMETASTATIC = Citation("CARCINOMATOSIS-OVERVIEW", 13, 13)
BREAST_TASK_FORCE = Citation("CARCINOMATOSIS-OVERVIEW", 22, 22)

OLIGOMETASTATIC_SITE_COUNT = 1
"""CARCINOMATOSIS-OVERVIEW l.13 (metastatic breast cancer ranges from solitary metastatic lesions to diffuse
multi-organ disease; the oligometastatic subset may benefit from an aggressive multidisciplinary approach) and
l.22. The source does not define oligometastatic disease by a number of sites; the catalog's trigger is a single
(solitary) metastatic site, which is the narrowest reading and the one used here."""

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
    "Guideline: the outlook of carcinomatosis is generally poor; care aims to extend survival and improve "
    "quality of life, and the main options are systemic chemotherapy, targeted therapy and immunotherapy. "
    "Management weighs the type of primary and how it responds, how far the cancer has spread "
    "and how many organs are involved, the patient's general health and tolerance of aggressive treatment, "
    "and the benefit and risk of each option, cytoreductive surgery with HIPEC among them "
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
def general_guidance(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: the general goals and options, with what this chart says of each consideration. Needs a primary
    on record (PM-UNKNOWN-PRIMARY speaks otherwise); a missing performance status is named as missing. The
    source's "rather than cure" (l.13, l.26) is left out: colorectal charts keep this card next to a CRS/HIPEC
    card, and CRC-PM-REVIEW treats selected colorectal PM with radical intent (l.4-5, l.159-162)."""
    if not picture.has_peritoneal_metastasis or not picture.cancer_conditions:
        return None
    condition = picture.cancer_conditions[0]
    sites = picture.metastatic_site_count
    ecog = picture.score(Scale.ECOG)
    karnofsky = picture.score(Scale.KARNOFSKY)
    status = f"ECOG {ecog.value}" if ecog else "no ECOG on record"
    summary = (
        f"PM, {short(condition.name, 50)}: aim for survival and quality of life "
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
def unknown_primary(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: peritoneal metastasis is recorded and no primary cancer is: management depends on it."""
    if not picture.has_peritoneal_metastasis or picture.cancer_conditions:
        return None
    first = picture.peritoneal_metastases[0]
    summary = f"{short(first.name, 75)} is on record but no primary cancer: record the primary type"
    lines = [pm_line(picture), "- Primary cancer: none on record."]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", PRIMARY_STATEMENT]))


DOUBLET_STATEMENT = (
    "For the initial treatment of ovarian cancer, carboplatin with paclitaxel is an effective "
    "doublet, carboplatin being dosed by the Calvert formula, with outcomes non-inferior to the earlier "
    "cisplatin/paclitaxel regimen. Dose-dense paclitaxel given weekly with carboplatin every 3 weeks improved "
    "progression-free and overall survival in advanced ovarian cancer, with more side effects "
    "(CARCINOMATOSIS-OVERVIEW l.32-34)."
)
CALVERT_NOTE = "The source names the Calvert formula but gives no target AUC for ovarian cancer."
BEVACIZUMAB_STATEMENT = (
    "Bevacizumab added to standard chemotherapy, then continued as maintenance until progression, improved "
    "overall survival in platinum-sensitive recurrent ovarian cancer; first line, bevacizumab with "
    "carboplatin and paclitaxel was effective in advanced ovarian cancer, where performance status, stage and "
    "residual disease after primary surgery predicted progression-free and overall survival "
    "(CARCINOMATOSIS-OVERVIEW l.38-39)."
)
PLATINUM_SENSITIVITY_NOTE = (
    "The source does not define platinum sensitivity; whether this recurrence is platinum-sensitive is not "
    "derived from the record."
)
OLIGOMETASTATIC_STATEMENT = (
    "Guideline: metastatic breast cancer ranges from solitary lesions to diffuse disease of several organs; "
    "for patients with oligometastatic disease the ESO-MBC Task Force recommends considering a more aggressive, "
    "multidisciplinary approach, which may include surgery, radiotherapy and regional chemotherapy. The value "
    "of such strategies has not been tested in prospective randomised trials and is not well recognised "
    "(CARCINOMATOSIS-OVERVIEW l.13, l.22)."
)
OLIGOMETASTATIC_NOTE = (
    "The source does not define oligometastatic disease by a number of sites: this card is shown when the "
    "peritoneum (omentum included) is the only metastatic site on record, and one site with diffuse "
    "carcinomatosis is not necessarily oligometastatic (the source sets solitary lesions against diffuse "
    "disease, CARCINOMATOSIS-OVERVIEW l.13)."
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
    cites=(OVARIAN_DOUBLET, OVARIAN_BEVACIZUMAB),
    version="1.0.0",
)
def ovarian_doublet(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: the carboplatin/paclitaxel doublet (Calvert-dosed carboplatin, dose-dense weekly paclitaxel) and
    bevacizumab, led by what applies to this patient: a recurrent primary gets the bevacizumab statement for
    platinum-sensitive recurrence first. Missing therapy history, performance status or disease status are
    named as not on record; without an ovarian primary and PM there is no card."""
    condition = with_pm(picture, Cancer.OVARIAN)
    if condition is None:
        return None
    ecog = picture.score(Scale.ECOG)
    status = f"ECOG {ecog.value}" if ecog else "no ECOG on record"
    therapy = therapy_text(picture)
    if condition.recurrent:
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
    guidance = [DOUBLET_STATEMENT, CALVERT_NOTE, BEVACIZUMAB_STATEMENT]
    if condition.recurrent:
        guidance = [BEVACIZUMAB_STATEMENT, PLATINUM_SENSITIVITY_NOTE, DOUBLET_STATEMENT, CALVERT_NOTE]
    return Finding(
        Indicator.INFO,
        summary,
        "\n".join([*lines, "", "Guideline: " + guidance[0][0].lower() + guidance[0][1:], *guidance[1:]]),
    )


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
    cites=(BREAST_OLIGOMETASTATIC, BREAST_TASK_FORCE),
    version="1.0.0",
)
def breast_oligometastatic(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: breast cancer whose only metastatic site on record is the peritoneum (omentum included): if the
    disease is limited (oligometastatic), an aggressive multidisciplinary approach may be discussed; the
    summary carries the source's caveat (not tested in randomised trials, l.22). A single site with diffuse
    carcinomatosis is not shown to be oligometastatic, hence the conditional wording.

    The service's scope is peritoneal metastasis, so a breast chart with one non-peritoneal site (bone only,
    liver only) gets no card, like every chart without PM. A missing performance status or PCI is named as not
    on record (the source weighs tolerance of aggressive treatment and extent of spread, l.18-19)."""
    condition = with_pm(picture, Cancer.BREAST)
    if condition is None or picture.metastatic_site_count != OLIGOMETASTATIC_SITE_COUNT:
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
        "- Metastatic sites on record: 1 (peritoneum); no other metastatic site on record.",
        f"- Extent of peritoneal disease: {score_text(picture.score(Scale.PCI), Scale.PCI)}.",
        f"- Performance status: {score_text(ecog, Scale.ECOG)}.",
        therapy_line(picture),
    ]
    detail = "\n".join([*lines, "", OLIGOMETASTATIC_STATEMENT, OLIGOMETASTATIC_NOTE])
    return Finding(Indicator.INFO, summary, detail)


RULES: tuple[Rule, ...] = (general_guidance, unknown_primary, ovarian_doublet, breast_oligometastatic)

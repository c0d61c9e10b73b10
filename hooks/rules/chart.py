"""What pathway rules say about the chart, worded once: the primary, the peritoneal disease, scores and therapy.

Every line names the record it comes from (`Condition/…`, `Observation/…`), so a clinician can check it.
"""

from __future__ import annotations

from fhir_mappings.facts import (
    DRUG_CLASSES,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    DrugClass,
    Scale,
    Score,
)
from hooks.rules.wording import day, md

ORDER_HOOKS = ("order-select", "order-sign")
VIEW_HOOKS = ("patient-view",)
ALL_HOOKS = ("patient-view", "order-select", "order-sign")


def primary(picture: ClinicalPicture, cancer: Cancer) -> CancerCondition | None:
    """The first condition on record for this primary (by reference, so the choice is stable)."""
    return next((c for c in picture.cancer_conditions if c.cancer is cancer), None)


def with_pm(picture: ClinicalPicture, cancer: Cancer) -> CancerCondition | None:
    """The primary, when the patient also has peritoneal (or omental) metastasis on record."""
    return primary(picture, cancer) if picture.has_peritoneal_metastasis else None


def primary_line(condition: CancerCondition) -> str:
    recurrent = " (recurrent)" if condition.recurrent else ""
    return f"- Primary: {md(condition.name)}{recurrent} ({condition.ref})."


def pm_line(picture: ClinicalPicture) -> str:
    sites = [m for m in picture.metastases if m.site.value != "other"]
    names = "; ".join(f"{md(m.name)} ({m.ref})" for m in sites)
    return f"- Peritoneal metastasis: {names}."


def score_text(score: Score | None, scale: Scale) -> str:
    if score is None:
        return f"{scale.value} not on record"
    when = f" on {day(score.on)}" if score.on else " (undated)"
    return f"{scale.value} {score.value}{when} ({score.ref})"


def therapy_text(picture: ClinicalPicture) -> str:
    drugs = picture.therapy_history()
    return ", ".join(d.value for d in drugs) if drugs else "none on record"


def drugs_of_class(picture: ClinicalPicture, drug_class: DrugClass) -> tuple[Drug, ...]:
    return tuple(d for d in picture.therapy_history() if drug_class in DRUG_CLASSES.get(d, frozenset()))

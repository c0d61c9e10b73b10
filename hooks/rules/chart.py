"""What pathway rules say about the chart, worded once: the primary, the peritoneal disease, scores, disease
status and therapy; and the calendar-month arithmetic of their intervals.

Lines name things as a clinician does (the condition's name, a value and its date), never a FHIR reference.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from fhir_mappings.facts import (
    DRUG_CLASSES,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    DrugClass,
    Scale,
    Score,
    StatusReport,
)
from hooks.rules.wording import dated, md


def primary(picture: ClinicalPicture, cancer: Cancer) -> CancerCondition | None:
    """The first condition on record for this primary (by reference, so the choice is stable)."""
    return next((c for c in picture.cancer_conditions if c.cancer is cancer), None)


def with_pm(picture: ClinicalPicture, cancer: Cancer) -> CancerCondition | None:
    """The primary, when the patient also has peritoneal (or omental) metastasis on record."""
    return primary(picture, cancer) if picture.has_peritoneal_metastasis else None


def primary_line(condition: CancerCondition) -> str:
    recurrent = " (recurrent)" if condition.recurrent else ""
    past = "" if condition.active else " (history or resolved on record)"
    return f"- Primary: {md(condition.name)}{recurrent}{past}."


def pm_line(picture: ClinicalPicture) -> str:
    names = "; ".join(md(m.name) for m in picture.peritoneal_metastases)
    return f"- Peritoneal metastasis: {names}."


def chart_lines(picture: ClinicalPicture, condition: CancerCondition) -> list[str]:
    """The primary, then its peritoneal metastasis: the lines a pathway card about a PM chart opens with."""
    return [primary_line(condition), pm_line(picture)]


def score_text(score: Score | None, scale: Scale) -> str:
    if score is None:
        return f"{scale.value} not on record"
    return f"{scale.value} {score.value}{dated(score.on)}"


def status_line(status: StatusReport | None, missing: str) -> str:
    """The latest disease status; `missing` says what its absence means to the card that asks."""
    if status is None:
        return f"- Disease status: {missing}."
    return f"- Disease status: {status.trend.value}{dated(status.on)}."


def therapy_text(picture: ClinicalPicture) -> str:
    drugs = picture.therapy_history()
    return ", ".join(d.value for d in drugs) if drugs else "none on record"


def therapy_line(picture: ClinicalPicture) -> str:
    return f"- Systemic therapy on record: {therapy_text(picture)}."


def drugs_of_class(picture: ClinicalPicture, drug_class: DrugClass) -> tuple[Drug, ...]:
    return tuple(d for d in picture.therapy_history() if drug_class in DRUG_CLASSES.get(d, frozenset()))


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it has no such day): the
    sources count intervals in calendar months, not in days."""
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month0 + 1, min(start.day, monthrange(year, month0 + 1)[1]))

"""What the rule and extractor tests share: one clock, the hook contexts, common chart records, and the
builders of the facts a rule reads (by hand, or extracted from FHIR resources), so that each test file states
only what it is about."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cds_service.engine.types import HookContext
from fhir_mappings.extract import build_picture
from fhir_mappings.facts import (
    Administration,
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Drug,
    MedicationOrder,
    Metastasis,
    MetastaticSite,
    OrderedDose,
)
from fhir_mappings.resources import ResourceIndex

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
VIEW = HookContext("patient-view", TODAY)
SELECT = HookContext("order-select", TODAY)
SIGN = HookContext("order-sign", TODAY)

HCC = CancerCondition("Condition/hcc", Cancer.HCC, "Liver cell carcinoma", recurrent=False)
LUNG = CancerCondition("Condition/lung", Cancer.LUNG, "Non-small cell lung cancer", recurrent=False)
PM = Metastasis("Condition/pm", MetastaticSite.PERITONEUM, "peritoneum", "Metastasis to peritoneum")
OMENTUM = Metastasis("Condition/om", MetastaticSite.OMENTUM, "peritoneum", "Omental metastasis")
LIVER = Metastasis(
    "Condition/liver-met", MetastaticSite.OTHER, "icd|C78.7", "Secondary malignant neoplasm of liver"
)


def with_primaries(*conditions: CancerCondition, **facts: Any) -> ClinicalPicture:
    """A picture with these primary cancer conditions."""
    return ClinicalPicture(cancer_conditions=conditions, **facts)


def given(*drugs: Drug) -> tuple[Administration, ...]:
    """One administration of each drug, given well before TODAY."""
    return tuple(Administration(f"MedicationAdministration/{d.value}", d, date(2025, 10, 1)) for d in drugs)


def medication_order(
    drug: Drug,
    *,
    ref: str | None = None,
    status: str = "draft",
    under_review: bool = True,
    start: date | None = None,
    end: date | None = None,
    doses: tuple[date, ...] = (),
    authored: date | None = TODAY,
    dose: OrderedDose | None = None,
) -> MedicationOrder:
    """A medication order, a draft of this call unless `status` says otherwise; its ref names the drug unless
    given."""
    return MedicationOrder(
        ref=ref or f"MedicationRequest/{drug.value}",
        drug=drug,
        status=status,
        start=start,
        doses=doses,
        end=end,
        authored=authored,
        is_draft=status == "draft",
        under_review=under_review,
        dose=dose,
    )


def extracted(
    *resources: dict[str, Any], drafts: tuple[dict[str, Any], ...] = (), review: list[str] | None = None
) -> ClinicalPicture:
    """The picture the extractor builds from a chart (and this call's drafts, `review` naming those under
    review), read in UTC."""
    return build_picture(ResourceIndex([*drafts, *resources]), drafts, review, ZoneInfo("UTC"))

"""The CDS services the EHR discovers: one per hook. Their prefetch is derived from their rules' facts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from cds_service.engine.types import Rule
from fhir_mappings.facts import Fact
from fhir_mappings.queries import prefetch_for
from fhir_mappings.terminology import BUILT_IN, Terminology
from hooks.rules import ALL_RULES


@dataclass(frozen=True)
class ServiceDeclaration:
    id: str
    hook: str
    title: str
    description: str

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in ALL_RULES if self.hook in r.hooks)

    @cached_property
    def facts(self) -> frozenset[Fact]:
        return frozenset(f for r in self.rules for f in r.requires)

    @cached_property
    def prefetch(self) -> dict[str, str]:
        """The templates with the built-in value sets."""
        return prefetch_for(set(self.facts))

    @cached_property
    def prefetch_keys(self) -> frozenset[str]:
        """The prefetch keys, the same whatever the terminology (a site's value sets change only the queries)."""
        return frozenset(self.prefetch)

    def prefetch_with(self, terminology: Terminology) -> dict[str, str]:
        """The templates with a site's value sets (its mapped lab codes are queried too)."""
        return self.prefetch if terminology is BUILT_IN else _site_prefetch(self.facts, terminology)


@lru_cache(maxsize=32)
def _site_prefetch(facts: frozenset[Fact], terminology: Terminology) -> dict[str, str]:
    return prefetch_for(set(facts), terminology)


SERVICES: tuple[ServiceDeclaration, ...] = (
    ServiceDeclaration(
        id="peritoneal-metastasis-patient-view",
        hook="patient-view",
        title="Peritoneal metastasis guidance (chart review)",
        description="Reviews the chart of a patient with peritoneal metastasis when it opens: the guidance "
        "of its primary's pathway (colorectal, hepatocellular, lung, cervical, ovarian, breast, or general), "
        "CRS/HIPEC candidacy, bevacizumab close to a planned surgery or with high blood pressure.",
    ),
    ServiceDeclaration(
        id="peritoneal-metastasis-order-select",
        hook="order-select",
        title="Peritoneal metastasis order check (order selection)",
        description="Checks the orders a clinician selects: bevacizumab and VEGF-pathway agents around "
        "surgery and their toxicities, chemotherapy doses and regimens, CRS/HIPEC/PIPAC orders and targeted "
        "therapy against the peritoneal-metastasis guidance.",
    ),
    ServiceDeclaration(
        id="peritoneal-metastasis-order-sign",
        hook="order-sign",
        title="Peritoneal metastasis order check (signing)",
        description="Checks every draft order about to be signed: bevacizumab and VEGF-pathway agents "
        "around surgery and their toxicities, chemotherapy doses and regimens, CRS/HIPEC/PIPAC orders and "
        "targeted therapy against the peritoneal-metastasis guidance.",
    ),
    ServiceDeclaration(
        id="peritoneal-metastasis-appointment-book",
        hook="appointment-book",
        title="Peritoneal metastasis booking check (surgery appointments)",
        description="Checks a surgery appointment as it is booked: bevacizumab given or scheduled less than "
        "28 days before it (with the move of the appointment to the earliest safe day), and CRS/HIPEC "
        "candidacy when the booked procedure is CRS or HIPEC.",
    ),
)

SERVICES_BY_ID: dict[str, ServiceDeclaration] = {s.id: s for s in SERVICES}

"""Condition → one fact: a primary cancer, a metastasis, a comorbidity (VTE, fistula) or a tumour risk feature."""

from __future__ import annotations

import logging
from datetime import tzinfo

from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.facts import (
    CancerCondition,
    ComorbidCondition,
    Metastasis,
    MetastaticSite,
    RiskFinding,
)
from fhir_mappings.resources import Resource, codings_of, concept_text, ref_key
from fhir_mappings.systems import ICD10CM
from fhir_mappings.terminology import Terminology

ConditionFact = CancerCondition | Metastasis | ComorbidCondition | RiskFinding

log = logging.getLogger(__name__)

EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
RECURRENT_STATUSES = frozenset({"recurrence", "relapse"})
ACTIVE_STATUSES = frozenset({"active", "recurrence", "relapse"})
"""A condition with no clinicalStatus counts as active: FHIR requires one unless the record is in error."""


def _clinical_status(resource: Resource) -> str | None:
    codes = [code for _, code in codings_of(resource.get("clinicalStatus")) if code]
    return codes[0] if codes else None


def condition_fact(resource: Resource, terminology: Terminology, tz: tzinfo) -> ConditionFact | None:
    key = ref_key(resource)
    if key is None:
        return None
    if any(code in EXCLUDED_VERIFICATION for _, code in codings_of(resource.get("verificationStatus"))):
        return None
    codings = codings_of(resource.get("code"))
    if not any(system and code for system, code in codings):
        log.info("Condition %s has no coding: skipped", key)
        return None
    status = _clinical_status(resource)
    active = status is None or status in ACTIVE_STATUSES
    name = concept_text(resource.get("code")) or "condition"
    recorded = parse_fhir_date(resource.get("onsetDateTime") or resource.get("recordedDate"), tz)

    site = terminology.metastases.first(codings)
    if site is not None:
        if not active:
            return None
        if site is MetastaticSite.OTHER and terminology.peritoneum_body_site.matches_any(
            codings_of(resource.get("bodySite"))
        ):
            site = MetastaticSite.PERITONEUM
        return Metastasis(key, site, _site_key(site, codings, resource, terminology), name, recorded)

    cancer = terminology.cancers.first(codings)
    is_history = cancer is None
    if is_history:
        cancer = terminology.cancer_history.first(codings)
    if cancer is not None:
        recurrence_coded = terminology.local_recurrence.matches_any(codings)
        histology = "adenosquamous" if terminology.lung_adenosquamous.matches_any(codings) else None
        return CancerCondition(
            key,
            cancer,
            name,
            status in RECURRENT_STATUSES or recurrence_coded,
            recorded=recorded,
            histology=histology,
            active=active and not is_history,
            recurrence_coded=recurrence_coded,
        )

    comorbidity = terminology.comorbidities.first(codings)
    if comorbidity is not None:
        if not active:
            return None
        return ComorbidCondition(key, comorbidity, name, recorded)

    feature = terminology.risk_features.first(codings)
    if feature is not None:
        return RiskFinding(key, feature, name)
    return None


def _site_key(
    site: MetastaticSite,
    codings: list[tuple[str | None, str | None]],
    resource: Resource,
    terminology: Terminology,
) -> str:
    """Peritoneum and omentum are one site, and each named organ is one site whatever its code system; other
    sites are told apart by the code that made them a metastasis (ICD-10-CM at the 4-character level), and a
    generic secondary code (mCODE style) by its body site."""
    if site.peritoneal:
        return "peritoneum"
    if site is not MetastaticSite.OTHER:
        return site.value
    matched = [(s, c) for s, c in codings if s and c and terminology.metastases.concept(s, c) is not None]
    if not matched:
        return "other"
    system, code = matched[0]
    key = f"{system}|{code.strip().upper()[:5] if system == ICD10CM else code}"
    body = [f"{s}|{c}" for s, c in codings_of(resource.get("bodySite")) if s and c]
    return f"{key}@{body[0]}" if body else key

"""Run a service's rules on the clinical picture, each in isolation."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cds_service.engine.types import Finding, HookContext, Rule
from fhir_mappings.facts import ClinicalPicture

log = logging.getLogger(__name__)


def run_rules(
    rules: Sequence[Rule], picture: ClinicalPicture, context: HookContext
) -> list[tuple[Rule, Finding]]:
    """One finding at most per rule, ordered critical → warning → info (catalog order within a level).

    A rule that raises is logged with its id and skipped: the other cards still go out. A finding whose rule
    yields to a rule that also fired is dropped (PM-GENERAL gives way to the pathway cards).
    """
    found: list[tuple[Rule, Finding]] = []
    for rule in rules:
        try:
            finding = rule.evaluate(picture, context)
        except Exception as exc:
            log.error("rule %s failed and was skipped: %s", rule.id, type(exc).__name__)
            continue
        if finding is not None:
            found.append((rule, finding))
    fired = {rule.id for rule, _ in found}
    kept = [(rule, finding) for rule, finding in found if not rule.yields_to & fired]
    return sorted(kept, key=lambda pair: pair[1].indicator.rank)

"""The value sets in force for one deployment: the built-in sets plus a site's mappings, with their indexes.

Built once at start-up (the site file is read then), shared read-only by every hook call. Extractors read codes
only through it, so a site's local codes count exactly like the standard ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TypeVar

from fhir_mappings import valuesets as vs
from fhir_mappings.facts import Orderable
from fhir_mappings.systems import HGNC
from fhir_mappings.valuesets.model import Code, CodeIndex, ValueSet

K = TypeVar("K")

ObservationRole = tuple[str, Enum | None]
"""What an Observation code stands for: ("measure", Measure.WEIGHT), ("scale", Scale.ECOG), ("afp", None)…"""


class Terminology:
    def __init__(self, additions: Mapping[str, Sequence[Code]] | None = None) -> None:
        additions = additions or {}
        unknown = set(additions) - set(vs.VALUE_SETS)
        if unknown:
            raise KeyError(f"unknown value set(s): {', '.join(sorted(unknown))}")
        self.value_sets: dict[str, ValueSet] = {
            key: value_set.with_codes(additions.get(key, ())) for key, value_set in vs.VALUE_SETS.items()
        }
        self.site_codes = sum(len(codes) for codes in additions.values())

        self.drugs = CodeIndex(self._keyed(vs.DRUGS))
        self.cancers = CodeIndex(self._keyed(vs.CANCERS))
        self.cancer_history = CodeIndex(self._keyed(vs.CANCER_HISTORY))
        self.metastases = CodeIndex(self._keyed(vs.METASTASES))
        self.comorbidities = CodeIndex(self._keyed(vs.COMORBIDITIES))
        self.risk_features = CodeIndex(self._keyed(vs.RISK_FEATURES))
        self.trends = CodeIndex(self._keyed(vs.TRENDS))
        self.genes = CodeIndex(self._keyed(vs.GENES))
        self.interventions = CodeIndex(self._keyed(vs.INTERVENTIONS))
        self.local_recurrence = self.value_set(vs.LOCAL_RECURRENCE.id)
        self.peritoneum_body_site = self.value_set(vs.PERITONEUM_BODY_SITE.id)
        self.major_surgery = self.value_set(vs.MAJOR_SURGERY.id)
        self.surgical_category = self.value_set(vs.SURGICAL_PROCEDURE_CATEGORY.id)
        self.surgical_procedure = self.value_set("surgical-procedure")
        self.ct_chest_abdomen_pelvis = self.value_set("ct-chest-abdomen-pelvis")
        self.lung_adenosquamous = self.value_set("lung-adenosquamous-carcinoma")
        self.oxaliplatin_hipec = self.value_set(vs.OXALIPLATIN_HIPEC.id)
        self.gene_studied = self.value_set(vs.GENE_STUDIED.id)
        self.protein_change = self.value_set(vs.PROTEIN_CHANGE.id)
        self.variant_present = self.value_set(vs.VARIANT_PRESENT.id)
        self.variant_absent = self.value_set(vs.VARIANT_ABSENT.id)
        self.ecog_answers = self.value_set(vs.ECOG_ANSWER_CODES.id)
        self.t4_category = self.value_set("t4-category")
        self.ocular_route = self.value_set("ocular-route")
        self._roles = self._observation_roles()
        self.observations: CodeIndex[ObservationRole] = CodeIndex(self._roles)

    def value_set(self, set_id: str) -> ValueSet:
        return self.value_sets[set_id]

    def orderable(self, order: Orderable) -> ValueSet:
        return self.value_sets[vs.ORDERABLES[order].id]

    def _keyed(self, sets: Mapping[K, ValueSet]) -> dict[K, ValueSet]:
        return {key: self.value_sets[value_set.id] for key, value_set in sets.items()}

    def _observation_roles(self) -> dict[ObservationRole, ValueSet]:
        roles: dict[ObservationRole, ValueSet] = {}
        roles.update({("measure", m): s for m, s in self._keyed(vs.MEASURES).items()})
        roles.update({("scale", s): v for s, v in self._keyed(vs.SCALES).items()})
        roles.update({("risk", r): v for r, v in self._keyed(vs.RISK_FEATURES).items()})
        roles.update({("gene-test", g): v for g, v in self._keyed(vs.GENES).items()})
        for role, value_set in (
            ("afp", vs.AFP),
            ("status", vs.DISEASE_STATUS),
            ("variant", vs.VARIANT),
            ("tnm-t", vs.TNM_PRIMARY_TUMOR_CATEGORY),
            ("bp-panel", vs.BLOOD_PRESSURE_PANEL),
            ("systolic", vs.SYSTOLIC_BP),
            ("diastolic", vs.DIASTOLIC_BP),
        ):
            roles[(role, None)] = self.value_sets[value_set.id]
        return roles

    def observation_codes(self, *roles: str) -> list[Code]:
        """Every Observation.code of the roles named (for prefetch queries), in a stable order. Gene ids
        (HGNC) are values of a component, never an Observation code, and are left out."""
        return [
            c
            for role, value_set in self._roles.items()
            if role[0] in roles
            for c in value_set.codes
            if c.system != HGNC
        ]


BUILT_IN = Terminology()
"""The built-in value sets, with no site mappings (immutable)."""

"""Builder of the real-world charts of fixtures/charts/<primary>/<shape>: the chart and its draft orders (two
FHIR R4 collection Bundles) and the meta file of the decisions each hook must show.

The resources are shaped like scenario_builder's, but each chart has its own patient (`rw-<primary>-<shape>`),
so that every chart can be loaded into one FHIR server for the fetch-mode test. The charts themselves are
defined in tests/chart_definitions.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tests.scenario_builder import Json, concept, condition, observation, patient, quantity

CHARTS_DIR = FIXTURES / "charts"
HGNC = "http://www.genenames.org"
HGVS = "http://varnomen.hgvs.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
VARIANT_PROFILE = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant"
DRAFTED_AT = "2026-11-22T08:55:00Z"
"""authoredOn of every draft medication order: minutes before the hooks fire (the charts' clock is 09:00)."""
SURGERY_ORDERED_ON = "2026-11-18"
CREATININE_DISPLAYS = {
    "2160-0": "Creatinine [Mass/volume] in Serum or Plasma",
    "14682-9": "Creatinine [Moles/volume] in Serum or Plasma",
    "38483-4": "Creatinine",
}
"""The LOINC codes EHRs record serum creatinine under: mg/dL (Epic), umol/L (Oracle), Synthea's own."""

Coding = tuple[str, str, str]
"""(system key of scenario_builder.SYSTEMS or a URI, code, display)."""


def codeable(*codings: Coding, text: str | None = None) -> Json:
    """A CodeableConcept of one or more codings (Epic and Oracle send ICD-10-CM and SNOMED CT side by side);
    its text defaults to the first display."""
    out = concept(*codings[0])
    out["coding"] = [concept(*coding)["coding"][0] for coding in codings]
    if text:
        out["text"] = text
    return out


def mg(value: float) -> Json:
    return quantity(value, "mg")


def cards(expect: list[list[str]] | None = None, forbid: list[str] | None = None, **phrases: Any) -> Json:
    """What one hook must show: the [rule, indicator] pairs expected, the rule ids forbidden, and optionally
    must_say / must_not_say (rule id → phrases of its card)."""
    return {"expect": expect or [], "forbid": forbid or [], **phrases}


def per_hook(view: Json, orders: Json, sign: Json | None = None) -> Json:
    """The meta of the three hooks; order-sign shows what order-select shows unless told otherwise."""
    return {"patient-view": view, "order-select": orders, "order-sign": sign if sign is not None else orders}


def _collection(bundle_id: str, resources: list[Json]) -> Json:
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "entry": [
            {"fullUrl": f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def _dump(path: Path, data: Json) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class Chart:
    """One patient's chart and draft orders, built resource by resource; ids are `<patient id>-<name>`, unique
    across charts so that all of them load into one FHIR server."""

    def __init__(self, primary: str, shape: str, gender: str, birth: str) -> None:
        self.primary, self.shape = primary, shape
        self.pid = f"rw-{primary}-{shape}"
        self.resources: list[Json] = [
            {
                **patient(birth, gender),
                "id": self.pid,
                "name": [{"family": "Chart", "given": [f"{primary.title()} {shape}"]}],
            }
        ]
        self.drafts: list[Json] = []
        self.description = ""
        self.meta: Json = {}

    def rid(self, name: str) -> str:
        return f"{self.pid}-{name}"

    def subject(self) -> Json:
        return {"reference": f"Patient/{self.pid}"}

    def condition(
        self, name: str, code: Json, onset: str, status: str = "active", category: str = "problem-list-item"
    ) -> None:
        """A confirmed Condition; Synthea records every one as an encounter-diagnosis, EHRs as problems."""
        first = code["coding"][0]
        resource = {
            **condition(
                self.rid(name), first["system"], first["code"], first["display"], status, onset=onset
            ),
            "code": code,
            "subject": self.subject(),
            "recordedDate": onset,
        }
        resource["category"][0]["coding"][0]["code"] = category
        self.resources.append(resource)

    def obs(self, name: str, code: Json, when: str, category: str, **value: Any) -> Json:
        resource = {
            **observation(self.rid(name), code, when, category=category, **value),
            "subject": self.subject(),
        }
        self.resources.append(resource)
        return resource

    def ecog(self, value: int, when: str) -> None:
        self.obs(
            "ecog",
            codeable(("loinc", "89247-1", "ECOG Performance Status score")),
            when,
            "survey",
            valueInteger=value,
        )

    def vitals(self, weight: float, height: float, when: str) -> None:
        """Weight (kg) and height (cm): what body-surface-area and per-kg doses need."""
        self.obs(
            "weight",
            codeable(("loinc", "29463-7", "Body weight")),
            when,
            "vital-signs",
            valueQuantity=quantity(weight, "kg"),
        )
        self.obs(
            "height",
            codeable(("loinc", "8302-2", "Body height")),
            when,
            "vital-signs",
            valueQuantity=quantity(height, "cm"),
        )

    def creatinine(self, code: str, value: float, unit: str, when: str) -> None:
        """Serum creatinine under one of CREATININE_DISPLAYS' LOINC codes."""
        self.obs(
            "creatinine",
            codeable(("loinc", code, CREATININE_DISPLAYS[code])),
            when,
            "laboratory",
            valueQuantity=quantity(value, unit),
        )

    def pci(self, value: int, when: str) -> None:
        self.obs(
            "pci",
            codeable(("pm", "peritoneal-cancer-index", "Peritoneal cancer index (PCI)")),
            when,
            "exam",
            valueInteger=value,
        )

    def afp(self, value: float, unit: str, high: float, when: str, flagged: bool = False) -> None:
        """Alpha-fetoprotein with its reference range; `flagged` adds the lab's High interpretation, which
        some labs send and others leave to the range."""
        extra: Json = {"referenceRange": [{"high": quantity(high, unit)}]}
        if flagged:
            extra["interpretation"] = [
                {"coding": [{"system": INTERPRETATION, "code": "H", "display": "High"}]}
            ]
        self.obs(
            "afp",
            codeable(("loinc", "1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma")),
            when,
            "laboratory",
            valueQuantity=quantity(value, unit),
            **extra,
        )

    def variant(self, name: str, gene: tuple[str, str], protein: str, when: str) -> None:
        """A genomics-reporting Variant found present, as molecular labs report it: the gene studied as an
        HGNC (id, symbol) and the protein change in pHGVS, not a coded mutation."""
        resource = self.obs(
            name,
            codeable(("loinc", "69548-6", "Genetic variant assessment")),
            when,
            "laboratory",
            valueCodeableConcept=codeable(("loinc", "LA9633-4", "Present")),
            component=[
                {
                    "code": codeable(("loinc", "48018-6", "Gene studied [ID]")),
                    "valueCodeableConcept": codeable((HGNC, *gene)),
                },
                {
                    "code": codeable(("loinc", "48005-3", "Amino acid change (pHGVS)")),
                    "valueCodeableConcept": codeable((HGVS, protein, protein)),
                },
            ],
        )
        resource["meta"] = {"profile": [VARIANT_PROFILE]}

    def med(
        self,
        name: str,
        drug: tuple[str, str],
        status: str,
        start: str,
        *,
        contained: bool = False,
        dose: Json | None = None,
        end: str | None = None,
        draft: bool = False,
        text: str | None = None,
        period_weeks: int | None = None,
    ) -> None:
        """A MedicationRequest of the RxNorm (code, display) `drug`: in the chart, or a draft order with
        `draft`; Oracle-style with `contained` (a contained Medication referenced by the order)."""
        drug_concept = codeable(("rxnorm", *drug))
        timing: Json = {"repeat": {"boundsPeriod": {"start": start, **({"end": end} if end else {})}}}
        if period_weeks:
            timing["repeat"].update({"frequency": 1, "period": period_weeks, "periodUnit": "wk"})
        dosage: Json = {"text": text or drug[1], "timing": timing}
        if dose:
            dosage["doseAndRate"] = [{"doseQuantity": dose}]
        resource: Json = {
            "resourceType": "MedicationRequest",
            "id": self.rid(name),
            "status": status,
            "intent": "order",
            "subject": self.subject(),
            "authoredOn": DRAFTED_AT if draft else start,
            "dosageInstruction": [dosage],
        }
        if contained:
            resource["contained"] = [{"resourceType": "Medication", "id": "med", "code": drug_concept}]
            resource["medicationReference"] = {"reference": "#med", "display": drug[1]}
        else:
            resource["medicationCodeableConcept"] = drug_concept
        (self.drafts if draft else self.resources).append(resource)

    def surgery(self, name: str, code: Json, when: str, *, draft: bool = False) -> None:
        """A surgical ServiceRequest: planned (active, in the chart) or a draft order with `draft`."""
        resource: Json = {
            "resourceType": "ServiceRequest",
            "id": self.rid(name),
            "status": "draft" if draft else "active",
            "intent": "order",
            "category": [codeable(("sct", "387713003", "Surgical procedure (procedure)"))],
            "code": code,
            "subject": self.subject(),
            "occurrenceDateTime": when,
            "authoredOn": SURGERY_ORDERED_ON,
        }
        (self.drafts if draft else self.resources).append(resource)

    def expect(self, description: str, meta: Json, site_codes: Json | None = None) -> None:
        """The chart in words and, per hook (see per_hook), what it must show: its .meta.json. `site_codes`
        (value-set id → codings) are the site mappings the chart's service runs with (CDS_SITE_CODES)."""
        self.description, self.meta = (
            description,
            {**meta, **({"site_codes": site_codes} if site_codes else {})},
        )

    def write(self, folder: Path = CHARTS_DIR) -> list[Path]:
        """Write <folder>/<primary>/<shape>.json, .drafts.json and .meta.json; return their paths."""
        if not self.meta:
            raise ValueError(f"{self.pid}: no expectations, call expect() first")
        out = folder / self.primary
        out.mkdir(parents=True, exist_ok=True)
        files = {
            f"{self.shape}.json": _collection(self.pid, self.resources),
            f"{self.shape}.drafts.json": _collection(f"{self.pid}-drafts", self.drafts),
            f"{self.shape}.meta.json": {"description": self.description, **self.meta},
        }
        for file_name, data in files.items():
            _dump(out / file_name, data)
        return [out / file_name for file_name in files]

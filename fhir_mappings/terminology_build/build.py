"""Resolve the selections against their sources into the value-set data the service loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from fhir_mappings.pm_concepts import CONCEPTS_BY_CODE
from fhir_mappings.terminology_build.sources import (
    SYSTEMS,
    Source,
    SourceError,
    icd_xml,
    load_sources,
)

SELECTIONS = Path(__file__).parent / "selections"
OUTPUT = Path(__file__).parent.parent / "valuesets" / "codes.json"
GENERATOR = "python -m fhir_mappings.terminology_build"

Row = tuple[str, str, str, str]
"""system, code, display, provenance."""


def read_selections(folder: Path = SELECTIONS) -> tuple[dict[str, Any], dict[str, Any]]:
    """The declared sources and every value set's selection (one set id in one file only)."""
    sources = yaml.safe_load((folder / "sources.yaml").read_text())
    sets: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        for set_id, spec in (yaml.safe_load(path.read_text()) or {}).items():
            if set_id in sets:
                raise SourceError(f"{path.name}: value set {set_id} is selected in two files")
            sets[set_id] = spec
    return sources, sets


def resolve_entry(entry: dict[str, Any], sources: dict[str, Source], where: str) -> list[Row]:
    if "local" in entry:
        code = str(entry["local"])
        if code not in CONCEPTS_BY_CODE:
            raise SourceError(f"{where}: {code} is not a pm-concepts code")
        return [(SYSTEMS["local"], code, CONCEPTS_BY_CODE[code].display, sources["local"].label)]
    if "icd10cm-range" in entry:
        first, _, last = str(entry["icd10cm-range"]).partition("-")
        codes = icd_xml().category_range(first, last, [str(c) for c in entry.get("except", [])])
        return [_confirmed("icd10cm", c, sources["icd10cm"], entry, where) for c in codes]
    named = [key for key in entry if key in SYSTEMS]
    if len(named) != 1:
        raise SourceError(f"{where}: an entry names one code system of {', '.join(SYSTEMS)}: {entry}")
    short = named[0]
    source_key = str(entry.get("from", "icd10cm" if short == "icd10cm" else ""))
    if source_key not in sources:
        raise SourceError(f"{where}: {short} {entry[short]} comes from an undeclared source {source_key!r}")
    return [_confirmed(short, str(entry[short]), sources[source_key], entry, where)]


def _confirmed(short: str, code: str, source: Source, entry: dict[str, Any], where: str) -> Row:
    system = SYSTEMS[short]
    if source.kind == "cited":
        display, at = entry.get("display"), entry.get("at")
        if not display or at is None:
            raise SourceError(f"{where}: {code} from {source.key} needs its display and `at` (line)")
        return system, code, str(display), source.citation(str(at))
    found = source.find(system, code)
    if found is None:
        raise SourceError(f"{where}: {source.key} does not contain {short} {code}")
    display = found.display or entry.get("display")
    if not display:
        raise SourceError(f"{where}: {source.key} gives no display for {code}: add one")
    return system, code, str(display), source.citation(found.at)


def build(folder: Path = SELECTIONS) -> dict[str, Any]:
    declared, selected = read_selections(folder)
    sources = load_sources(declared)
    sets: dict[str, Any] = {}
    for set_id in sorted(selected):
        spec = selected[set_id]
        rows: list[Row] = []
        seen: set[tuple[str, str]] = set()
        for number, entry in enumerate(spec.get("codes") or []):
            for row in resolve_entry(entry, sources, f"{set_id}[{number}]"):
                if (row[0], row[1]) in seen:
                    raise SourceError(f"{set_id}[{number}]: {row[1]} is listed twice")
                seen.add((row[0], row[1]))
                rows.append(row)
        if not rows:
            raise SourceError(f"{set_id}: no codes")
        sets[set_id] = {"title": spec["title"], "codes": rows}
    return {"generator": GENERATOR, "sources": {k: s.label for k, s in sources.items()}, "sets": sets}


def render(data: dict[str, Any]) -> str:
    """JSON with one code a line, so that a change of the data reads as a diff of codes."""
    lines = ["{", f'  "generator": {json.dumps(data["generator"])},', '  "sources": {']
    items = list(data["sources"].items())
    lines += [
        f"    {json.dumps(k)}: {json.dumps(v)}" + ("," if i < len(items) - 1 else "")
        for i, (k, v) in enumerate(items)
    ]
    lines += ["  },", '  "sets": {']
    set_items = list(data["sets"].items())
    for i, (set_id, spec) in enumerate(set_items):
        lines.append(f'    {json.dumps(set_id)}: {{"title": {json.dumps(spec["title"])}, "codes": [')
        codes = spec["codes"]
        lines += [
            f"      {json.dumps(list(row), ensure_ascii=False)}" + ("," if j < len(codes) - 1 else "")
            for j, row in enumerate(codes)
        ]
        lines.append("    ]}" + ("," if i < len(set_items) - 1 else ""))
    lines += ["  }", "}", ""]
    return "\n".join(lines)

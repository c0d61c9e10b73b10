"""The value-set data written by the terminology build (`codes.json`; `python -m fhir_mappings.terminology_build`),
read once at import. Every code carries its provenance; nothing here is typed by hand."""

from __future__ import annotations

import json
from pathlib import Path

from fhir_mappings.valuesets.model import Code, ValueSet

_DATA = json.loads((Path(__file__).parent / "codes.json").read_text(encoding="utf-8"))
GENERATED: dict[str, ValueSet] = {
    set_id: ValueSet(
        id=set_id,
        title=spec["title"],
        codes=tuple(Code(system, code, display, where) for system, code, display, where in spec["codes"]),
    )
    for set_id, spec in _DATA["sets"].items()
}


def built(set_id: str) -> ValueSet:
    """The value set `set_id` as the build wrote it."""
    return GENERATED[set_id]

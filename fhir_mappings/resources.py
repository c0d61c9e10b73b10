"""Lenient readers for parsed FHIR JSON: the few shapes the extractors need, tolerant of what real EHRs send.

Objects are tested with `isinstance(x, dict)`: parsed JSON objects are dicts, and the abstract `Mapping` check
costs several times more on the hot path of a large prefetch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Resource = Mapping[str, Any]


def as_list(value: object) -> list[Any]:
    """A FHIR array that some clients send as a bare object (e.g. the sandbox's MedicationRequest.category)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def codings_of(concepts: object) -> list[tuple[str | None, str | None]]:
    """(system, code) pairs of one CodeableConcept or a list of them. A list, not a generator: callers keep or
    scan the few pairs whole, and resuming a generator per coding cost more than building the list."""
    out: list[tuple[str | None, str | None]] = []
    for concept in as_list(concepts):
        if not isinstance(concept, dict):
            continue
        for coding in as_list(concept.get("coding")):
            if isinstance(coding, dict):
                system, code = coding.get("system"), coding.get("code")
                out.append(
                    (system if isinstance(system, str) else None, code if isinstance(code, str) else None)
                )
    return out


def concept_text(concept: object) -> str | None:
    """Human text of a CodeableConcept: its `text`, else the first coding display."""
    for item in as_list(concept):
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if isinstance(text, str) and text.strip():
            return text.strip()
        for coding in as_list(item.get("coding")):
            if isinstance(coding, dict) and isinstance(coding.get("display"), str):
                return str(coding["display"]).strip() or None
    return None


def ref_key(resource: Resource) -> str | None:
    """`Type/id` of a resource, or None when it has no id."""
    rtype, rid = resource.get("resourceType"), resource.get("id")
    if isinstance(rtype, str) and isinstance(rid, str) and rid:
        return f"{rtype}/{rid}"
    return None


def reference_target(reference: object) -> str | None:
    """`Type/id` (or `#id` for contained) from a Reference, absolute URLs and `_history` included."""
    if not isinstance(reference, dict):
        return None
    ref = reference.get("reference")
    if not isinstance(ref, str) or not ref:
        return None
    if ref.startswith("#"):
        return ref
    parts = [p for p in ref.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) < 2:
        return None
    return f"{parts[-2]}/{parts[-1]}"


def bundle_resources(bundle: Mapping[str, Any]) -> list[Resource]:
    """Resources of a Bundle's entries; entries without a resource object are passed over."""
    return [
        resource
        for entry in as_list(bundle.get("entry"))
        if isinstance(entry, dict) and isinstance(resource := entry.get("resource"), dict)
    ]


class ResourceIndex:
    """Every resource of one hook call by type, and by type and id for reference resolution.

    Resources are keyed by the id strings they carry rather than by a `Type/id` string built per resource:
    most resources of a large prefetch are never referenced, so their keys are never built."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_type: dict[str, list[Resource]] = {}
        self._by_id: dict[str, dict[str, Resource]] = {}
        by_type, by_id = self.by_type, self._by_id
        for resource in resources:
            rtype = resource.get("resourceType")
            if not isinstance(rtype, str):
                continue
            rid = resource.get("id")
            if isinstance(rid, str) and rid:
                ids = by_id.get(rtype)
                if ids is None:
                    ids = by_id[rtype] = {}
                elif rid in ids:
                    continue  # the same resource from two prefetch keys counts once
                ids[rid] = resource
            listed = by_type.get(rtype)
            if listed is None:
                by_type[rtype] = [resource]
            else:
                listed.append(resource)

    def of_type(self, rtype: str) -> list[Resource]:
        return self.by_type.get(rtype, [])

    def resolve(self, reference: object, container: Resource | None = None) -> Resource | None:
        target = reference_target(reference)
        if target is None:
            return None
        if target.startswith("#"):
            if container is None:
                return None
            for contained in as_list(container.get("contained")):
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    return contained
            return None
        rtype, _, rid = target.partition("/")
        ids = self._by_id.get(rtype)
        return None if ids is None else ids.get(rid)

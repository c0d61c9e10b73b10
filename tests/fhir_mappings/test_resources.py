"""The resource index: one entry per resource, in arrival order, and references resolved by type and id."""

from __future__ import annotations

from typing import Any

from fhir_mappings.resources import ResourceIndex, bundle_resources


def _med(rid: str | None, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Medication", **({"id": rid} if rid is not None else {}), **extra}


def test_the_same_resource_from_two_prefetch_keys_counts_once() -> None:
    first, again, other = _med("m1", tag=1), _med("m1", tag=2), _med("m2")
    index = ResourceIndex([first, again, other])
    assert index.of_type("Medication") == [first, other]
    assert index.resolve({"reference": "Medication/m1"}) is first


def test_resources_without_an_id_are_listed_but_not_resolvable() -> None:
    anonymous, empty_id = _med(None), _med("")
    index = ResourceIndex([anonymous, empty_id, {"id": "no-type"}])
    assert index.of_type("Medication") == [anonymous, empty_id]
    assert index.resolve({"reference": "Medication/"}) is None
    assert index.of_type("Patient") == []


def test_references_resolve_by_type_and_id_absolute_and_versioned_too() -> None:
    med, patient = _med("m1"), {"resourceType": "Patient", "id": "m1"}
    index = ResourceIndex([med, patient])
    assert index.resolve({"reference": "Medication/m1"}) is med
    assert index.resolve({"reference": "Patient/m1"}) is patient
    assert index.resolve({"reference": "https://ehr.example.org/fhir/Medication/m1/_history/3"}) is med
    assert index.resolve({"reference": "Observation/m1"}) is None
    assert index.resolve({"reference": "Medication/m2"}) is None
    assert index.resolve({"reference": "m1"}) is None
    assert index.resolve("Medication/m1") is None


def test_contained_references_resolve_in_their_container_only() -> None:
    inner = _med("c1")
    order = {"resourceType": "MedicationRequest", "id": "o1", "contained": [inner]}
    index = ResourceIndex([order])
    assert index.resolve({"reference": "#c1"}, container=order) is inner
    assert index.resolve({"reference": "#c1"}) is None
    assert index.resolve({"reference": "#c2"}, container=order) is None


def test_bundle_entries_without_a_resource_object_are_passed_over() -> None:
    med = _med("m1")
    bundle = {"entry": [{"resource": med}, {"resource": "Medication/m2"}, "junk", {"fullUrl": "x"}]}
    assert bundle_resources(bundle) == [med]
    assert bundle_resources({"entry": {"resource": med}}) == [med]
    assert bundle_resources({}) == []

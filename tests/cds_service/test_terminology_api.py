"""The FHIR terminology endpoints: the pm-concepts CodeSystem and every value set in force (with the site's codes)
as valid FHIR R4 resources, without a client JWT, as application/fhir+json; unknown ids are a 404
OperationOutcome."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.valueset import ValueSet

from fhir_mappings.pm_concepts import CONCEPTS
from fhir_mappings.systems import ICD10CM, PM_CONCEPTS
from fhir_mappings.valuesets import VALUE_SETS
from tests.auth_keys import PUBLIC_BASE
from tests.conftest import FIXTURES, CheckedClient, make_client, suite_settings

EXAMPLE_SITE_CODES = FIXTURES / "examples" / "site-codes.example.yaml"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[CheckedClient]:
    with make_client(suite_settings(tmp_path)) as test_client:
        yield test_client


@pytest.fixture
def site_client(tmp_path: Path) -> Iterator[CheckedClient]:
    with make_client(suite_settings(tmp_path, site_codes=EXAMPLE_SITE_CODES)) as test_client:
        yield test_client


def fhir_json(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    body: dict[str, Any] = response.json()
    return body


def concepts_by_system(value_set: dict[str, Any]) -> dict[str, list[str]]:
    return {i["system"]: [c["code"] for c in i["concept"]] for i in value_set["compose"]["include"]}


def test_the_code_system_is_a_valid_complete_r4_code_system_of_every_concept(client: CheckedClient) -> None:
    body = fhir_json(client.get("/fhir/CodeSystem/pm-concepts"))

    CodeSystem.model_validate(body)
    assert body["id"] == "pm-concepts" and body["url"] == PM_CONCEPTS
    assert (body["status"], body["experimental"], body["content"], body["caseSensitive"]) == (
        "active",
        False,
        "complete",
        True,
    )
    assert body["publisher"] == "peritoneal-cds" and body["version"]
    assert body["count"] == len(body["concept"]) == len(CONCEPTS)
    codes = {c["code"]: c for c in body["concept"]}
    for code in (
        "peritoneal-cancer-index",
        "completeness-of-cytoreduction",
        "cytoreductive-surgery",
        "hipec",
        "pipac",
    ):
        assert codes[code]["display"] and codes[code]["definition"]


def test_the_terminology_endpoints_need_no_client_jwt(client: CheckedClient) -> None:
    for path in ("/fhir/CodeSystem/pm-concepts", "/fhir/ValueSet/hipec", "/fhir/ValueSet"):
        assert client.get(path, headers={"Authorization": "Bearer not-a-jwt"}).status_code == 200


def test_a_value_set_is_a_valid_r4_value_set_grouped_per_system(client: CheckedClient) -> None:
    body = fhir_json(client.get("/fhir/ValueSet/major-surgery"))

    ValueSet.model_validate(body)
    assert body["id"] == "major-surgery"
    assert body["url"] == "http://peritoneal-cds.org/ValueSet/major-surgery"
    assert body["status"] == "active" and body["name"] == "MajorSurgery"
    assert "expansion" not in body and "date" not in body  # deterministic: nothing from the wall clock
    expected: dict[str, list[str]] = {}
    for code in VALUE_SETS["major-surgery"].codes:
        expected.setdefault(code.system, []).append(code.code)
    assert concepts_by_system(body) == expected


def test_a_value_set_with_icd10cm_codes_says_they_match_their_descendants(client: CheckedClient) -> None:
    with_icd = [vs.id for vs in VALUE_SETS.values() if any(c.system == ICD10CM for c in vs.codes)]
    assert with_icd
    body = fhir_json(client.get(f"/fhir/ValueSet/{with_icd[0]}"))
    ValueSet.model_validate(body)
    assert "ICD-10-CM" in body["description"] and "below it" in body["description"]

    without = fhir_json(client.get("/fhir/ValueSet/pipac"))
    assert "ICD-10-CM" not in without["description"]


def test_value_set_hipec_includes_the_sites_local_code(site_client: CheckedClient) -> None:
    body = fhir_json(site_client.get("/fhir/ValueSet/hipec"))

    ValueSet.model_validate(body)
    assert concepts_by_system(body) == {
        PM_CONCEPTS: ["hipec", "hipec-oxaliplatin"],
        "urn:oid:1.2.3.4.5": ["HIPEC-01"],
    }
    local = body["compose"]["include"][1]["concept"][0]
    assert local == {"code": "HIPEC-01", "display": "HIPEC (local order)"}
    assert "1 code mapped by this site" in body["description"]


def test_value_set_hipec_without_site_codes_has_only_the_project_codes(client: CheckedClient) -> None:
    body = fhir_json(client.get("/fhir/ValueSet/hipec"))
    assert concepts_by_system(body) == {PM_CONCEPTS: ["hipec", "hipec-oxaliplatin"]}
    assert "mapped by this site" not in body["description"]


def test_a_site_code_without_display_is_listed_without_one(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("valueSets:\n  pipac:\n    - {system: 'urn:oid:1.2.3', code: P1}\n")
    with make_client(suite_settings(tmp_path, site_codes=site)) as client:
        body = fhir_json(client.get("/fhir/ValueSet/pipac"))
    ValueSet.model_validate(body)
    assert body["compose"]["include"][-1] == {"system": "urn:oid:1.2.3", "concept": [{"code": "P1"}]}


def test_the_value_set_search_is_a_valid_searchset_of_every_value_set(site_client: CheckedClient) -> None:
    body = fhir_json(site_client.get("/fhir/ValueSet"))

    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    assert body["total"] == len(body["entry"]) == len(VALUE_SETS)
    ids = [e["resource"]["id"] for e in body["entry"]]
    assert ids == sorted(VALUE_SETS)
    for entry in body["entry"]:
        ValueSet.model_validate(entry["resource"])
        assert entry["fullUrl"] == f"{PUBLIC_BASE}/fhir/ValueSet/{entry['resource']['id']}"
    hipec = next(e["resource"] for e in body["entry"] if e["resource"]["id"] == "hipec")
    assert "urn:oid:1.2.3.4.5" in concepts_by_system(hipec)


def test_the_value_set_search_narrows_by_canonical_url_and_id(client: CheckedClient) -> None:
    by_url = fhir_json(
        client.get("/fhir/ValueSet", params={"url": "http://peritoneal-cds.org/ValueSet/pipac"})
    )
    assert [e["resource"]["id"] for e in by_url["entry"]] == ["pipac"]
    by_id = fhir_json(client.get("/fhir/ValueSet", params={"_id": "hipec"}))
    assert [e["resource"]["id"] for e in by_id["entry"]] == ["hipec"]
    none = fhir_json(client.get("/fhir/ValueSet", params={"_id": "nothing"}))
    Bundle.model_validate(none)
    assert none["total"] == 0 and "entry" not in none  # FHIR JSON has no empty arrays


def test_the_terminology_answers_are_the_same_on_every_call(site_client: CheckedClient) -> None:
    for path in ("/fhir/CodeSystem/pm-concepts", "/fhir/ValueSet/hipec", "/fhir/ValueSet"):
        assert site_client.get(path).content == site_client.get(path).content


@pytest.mark.parametrize("path", ["/fhir/ValueSet/no-such-set", "/fhir/CodeSystem/loinc"])
def test_an_unknown_id_is_a_404_operation_outcome(client: CheckedClient, path: str) -> None:
    body = fhir_json(client.get(path), 404)

    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == "not-found"
    assert body["issue"][0]["expression"] == ["id"]

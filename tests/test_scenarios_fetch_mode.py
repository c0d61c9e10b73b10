"""The revision-2 scenarios of the bevacizumab course and extent-of-disease rules in fetch mode (issue #16 item 6).

Every scenario folder of those rules (found under fixtures/scenarios when the tests are collected) is fired twice:
once as it is (prefetch mode), and once without its prefetch, naming a sekmet-fhir server that holds the same
resources. The decision checked: the service answers the same whether the chart arrives prefetched or is fetched
through the prefetch templates.

Scenarios reuse patient and resource ids, so each is loaded under ids of its own (a per-scenario prefix on the
patient id and on every prefetched resource's id, references rewritten to match); the fetched request names the
prefixed patient, and the prefix is removed from its response before the two are compared. A scenario without
prefetch resources loads nothing and is compared all the same.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, load_json, with_fhir_server
from tests.fhir_server import FhirServer, sekmet_holding
from tests.test_scenarios import run_scenario, strip_uuids

Json = dict[str, Any]

RULES = (
    "BEV-SURG-BEFORE",
    "BEV-SURG-AFTER",
    "BEV-SURG-SCHEDULE",
    "BEV-SURG-VIEW",
    "HIPEC-CRC-PCI",
    "HIPEC-HCC",
    "HIPEC-LUNG",
    "CERV-OMENTAL-RESECTION",
    "BR-OLIGO",
    "PM-GENERAL",
    "LUNG-PALLIATION",
)
"""The rules whose scenarios item 6 asks to run in fetch mode too: the bevacizumab course and the extent of
disease."""

FOLDERS = sorted(p.parent for rule in RULES for p in (FIXTURES / "scenarios" / rule).glob("*/request.json"))


def prefix_of(folder: Path) -> str:
    """A token of the scenario's own: the same for a folder on every run, different between folders."""
    digest = hashlib.sha256(f"{folder.parent.name}/{folder.name}".encode()).hexdigest()[:10]
    return f"fm{digest}-"


def prefetched_resources(request: Json) -> list[Json]:
    """Every resource of the request's prefetch, each once (a resource may be given under several keys)."""
    seen: dict[str, Json] = {}
    for value in (request.get("prefetch") or {}).values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            resources = [e["resource"] for e in value.get("entry", []) if isinstance(e.get("resource"), dict)]
        elif value.get("resourceType") != "OperationOutcome":
            resources = [value]
        else:
            resources = []
        for resource in resources:
            key = f"{resource['resourceType']}/{resource['id']}"
            assert seen.setdefault(key, resource) == resource, f"{key} is given twice with different content"
    return list(seen.values())


def rewritten(value: Any, targets: set[str], prefix: str, own_ids: bool) -> Any:
    """`value` with every reference to one of `targets` ("Type/id") given the prefix; with `own_ids`, the ids of
    resources among `targets` too."""
    if isinstance(value, list):
        return [rewritten(v, targets, prefix, own_ids) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: rewritten(v, targets, prefix, own_ids) for k, v in value.items()}
    reference = out.get("reference")
    if isinstance(reference, str):
        for target in targets:
            if reference == target or reference.endswith("/" + target):
                kind, _, ident = target.partition("/")
                out["reference"] = reference[: -len(target)] + f"{kind}/{prefix}{ident}"
                break
    if own_ids and f"{out.get('resourceType')}/{out.get('id')}" in targets:
        out["id"] = prefix + str(out["id"])
    return out


def fetch_mode(request: Json, prefix: str, base: str, token: str) -> tuple[Json, Json | None]:
    """The request without prefetch, naming the server, under the scenario's own ids; and the transaction that
    loads its prefetched resources under those ids (None when it has none)."""
    patient_id = request["context"]["patientId"]
    resources = prefetched_resources(request)
    targets = {f"{r['resourceType']}/{r['id']}" for r in resources} | {f"Patient/{patient_id}"}

    fetched = {key: copy.deepcopy(value) for key, value in request.items() if key != "prefetch"}
    fetched["context"] = rewritten(fetched["context"], targets, prefix, own_ids=False)
    fetched["context"]["patientId"] = prefix + patient_id
    with_fhir_server(fetched, base, token)

    loaded = [rewritten(r, targets, prefix, own_ids=True) for r in resources]
    transaction = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
            for r in loaded
        ],
    }
    return fetched, (transaction if loaded else None)


def without_prefix(response: Json, prefix: str) -> Json:
    out: Json = json.loads(json.dumps(response).replace(prefix, ""))
    return out


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    """One server for the module, started empty: each test loads its scenario under its own ids."""
    yield from sekmet_holding(tmp_path_factory.mktemp("sekmet"), ())


@pytest.mark.fhir_server
@pytest.mark.parametrize("folder", FOLDERS, ids=[f"{p.parent.name}/{p.name}" for p in FOLDERS])
def test_fetch_mode_answers_as_prefetch(folder: Path, fhir: FhirServer, tmp_path: Path) -> None:
    given = load_json(folder / "request.json")
    prefix = prefix_of(folder)
    fetched, transaction = fetch_mode(given, prefix, fhir.base, fhir.token)
    if transaction is not None:
        fhir.load(transaction)

    (tmp_path / "prefetch").mkdir()
    (tmp_path / "fetch").mkdir()
    by_prefetch = run_scenario(folder, tmp_path / "prefetch", given)
    by_fetch = without_prefix(run_scenario(folder, tmp_path / "fetch", fetched), prefix)
    assert strip_uuids(by_fetch) == strip_uuids(by_prefetch), load_json(folder / "scenario.json")[
        "description"
    ]


def test_every_rule_of_item_six_has_scenarios() -> None:
    """The fetch-mode comparison covers each named rule: a renamed or emptied folder would drop it silently."""
    assert {folder.parent.name for folder in FOLDERS} == set(RULES)


def test_scenario_ids_are_rewritten_consistently() -> None:
    """The rewriting itself: the patient, the prefetched resources and references to them get the prefix;
    a draft's own id and an unrelated reference do not."""
    request: Json = {
        "context": {
            "patientId": "p1",
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "MedicationRequest",
                            "id": "draft-1",
                            "subject": {"reference": "Patient/p1"},
                            "requester": {"reference": "Practitioner/onc-1"},
                        }
                    }
                ],
            },
            "selections": ["MedicationRequest/draft-1"],
        },
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p1"},
            "serviceRequests": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "ServiceRequest",
                            "id": "sr-1",
                            "subject": {"reference": "Patient/p1"},
                        }
                    }
                ],
            },
            "appointments": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Appointment",
                            "id": "ap-1",
                            "basedOn": [{"reference": "http://ehr/fhir/ServiceRequest/sr-1"}],
                            "participant": [{"actor": {"reference": "Patient/p1"}}],
                        }
                    }
                ],
            },
            "procedures": None,
        },
    }
    fetched, transaction = fetch_mode(request, "x-", "http://fhir.test", "t")
    assert "prefetch" not in fetched
    assert fetched["fhirServer"] == "http://fhir.test"
    assert fetched["context"]["patientId"] == "x-p1"
    draft = fetched["context"]["draftOrders"]["entry"][0]["resource"]
    assert (draft["id"], draft["subject"], draft["requester"]) == (
        "draft-1",
        {"reference": "Patient/x-p1"},
        {"reference": "Practitioner/onc-1"},
    )
    assert fetched["context"]["selections"] == ["MedicationRequest/draft-1"]
    assert transaction is not None
    loaded = {e["request"]["url"]: e["resource"] for e in transaction["entry"]}
    assert sorted(loaded) == ["Appointment/x-ap-1", "Patient/x-p1", "ServiceRequest/x-sr-1"]
    assert loaded["ServiceRequest/x-sr-1"]["subject"] == {"reference": "Patient/x-p1"}
    assert loaded["Appointment/x-ap-1"]["basedOn"] == [{"reference": "http://ehr/fhir/ServiceRequest/x-sr-1"}]
    assert request["context"]["patientId"] == "p1", "the prefetch-mode request is left as it is"
    assert without_prefix({"id": "x-p1"}, "x-") == {"id": "p1"}
    assert fetch_mode({"context": {"patientId": "p1"}}, "x-", "http://fhir.test", "t")[1] is None

"""Hostile input: whatever a caller sends with a valid token, the answer is a documented status with a JSON body,
never a 500 and never a hang.

Property tests (hypothesis) post arbitrary JSON, mutations of a valid order-select request, wrong types inside
prefetch and draftOrders, random bytes and random content types to every POST endpoint, and sign tokens with
arbitrary claims; schemathesis fuzzes the service's own OpenAPI document. Every run is bounded and reproducible
(`derandomize=True`, no example database): the number of generated cases is given by the MAX_EXAMPLES_* and
SCHEMATHESIS_* constants below.
"""

from __future__ import annotations

import base64
import copy
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from cds_service.app import create_app
from cds_service.protocol.models import FeedbackRequest, HookRequest
from hooks.services import SERVICES
from tests.auth_keys import ES384, ISSUER, PUBLIC_BASE, token
from tests.conftest import FIXTURES, FROZEN_NOW, CheckedClient, counting_uuids, load_json, suite_settings

MAX_EXAMPLES_ARBITRARY_JSON = 200
MAX_EXAMPLES_MUTATED_REQUEST = 200
MAX_EXAMPLES_WRONG_TYPES = 200
MAX_EXAMPLES_RANDOM_BYTES = 200
MAX_EXAMPLES_CONTENT_TYPES = 200
MAX_EXAMPLES_FEEDBACK = 200
MAX_EXAMPLES_TOKEN_CLAIMS = 200
SCHEMATHESIS_EXAMPLES_PER_OPERATION = 50
"""Own OpenAPI document: 4 operations x 50 (positive mode; its string path parameters have no negative form)."""
SCHEMATHESIS_BODY_EXAMPLES_PER_MODE = 30
"""The document with its request bodies described: 2 POST operations x (positive + negative) x 30."""

ALLOWED = {200, 400, 401, 404, 412, 413, 415}
BEV_REQUEST: dict[str, Any] = load_json(
    FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"
)
ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
SERVICE_PATHS = [f"/cds-services/{s.id}" for s in SERVICES]
FEEDBACK_PATHS = [f"{p}/feedback" for p in SERVICE_PATHS]
POST_PATHS = [*SERVICE_PATHS, *FEEDBACK_PATHS, "/cds-services/no-such-service"]
FEEDBACK_BODY = {
    "feedback": [
        {
            "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
            "outcomeTimestamp": "2026-03-02T09:05:00Z",
        }
    ]
}


def bounded(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckedClient]:
    """One app for the module: every call carries a fresh signed token (CheckedClient), so nothing is replayed."""
    settings_ = suite_settings(tmp_path_factory.mktemp("hostile"))
    app = create_app(settings_, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())
    with CheckedClient(app, FROZEN_NOW) as test_client:
        yield test_client


def post(
    client: CheckedClient, path: str, content: bytes, content_type: str | None = "application/json"
) -> Any:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    response = client.post(path, content=content, headers=headers)
    assert response.status_code in ALLOWED, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    response.json()
    return response


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- strategies -------------------------------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
Path_ = tuple[str | int, ...]


def paths_in(document: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every path to a value inside `document` (not the root)."""
    children: list[tuple[str | int, Any]] = []
    if isinstance(document, dict):
        children = list(document.items())
    elif isinstance(document, list):
        children = list(enumerate(document))
    for key, child in children:
        yield (*prefix, key)
        yield from paths_in(child, (*prefix, key))


def parent_of(document: Any, path: Path_) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def other_type(value: Any) -> st.SearchStrategy[Any]:
    """A JSON value of any type but `value`'s."""
    kinds: dict[type, st.SearchStrategy[Any]] = {
        dict: st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
        list: st.lists(SCALARS, max_size=3),
        str: st.text(max_size=20),
        int: st.integers(),
        float: st.floats(allow_nan=False, allow_infinity=False),
        bool: st.booleans(),
        type(None): st.none(),
    }
    actual = bool if isinstance(value, bool) else type(value)
    return st.one_of([strategy for kind, strategy in kinds.items() if kind is not actual])


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], under: tuple[Path_, ...] = ((),)) -> dict[str, Any]:
    """`base` with 1-4 edits at random paths below one of `under`: a subtree replaced by random JSON, a key or
    item dropped, a value given the wrong type, or (anywhere) a new member added to an object."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in paths_in(document) if any(p[: len(u)] == u and len(p) > len(u) for u in under)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = parent_of(document, path)
        edit = draw(
            st.sampled_from(["replace", "drop", "retype", "add"] if under == ((),) else ["retype", "drop"])
        )
        if edit == "add":
            objects = [document, *(v for p in paths if isinstance(v := parent_of(document, (*p, "")), dict))]
            draw(st.sampled_from(objects))[draw(st.text(max_size=12))] = draw(JSON)
        elif edit == "drop":
            del parent[path[-1]]
        elif edit == "replace":
            parent[path[-1]] = draw(JSON)
        else:
            parent[path[-1]] = draw(other_type(parent[path[-1]]))
    return document


# --- hypothesis: bodies -----------------------------------------------------------------------------------------


@bounded(MAX_EXAMPLES_ARBITRARY_JSON)
@given(path=st.sampled_from(POST_PATHS), body=JSON)
def test_arbitrary_json_body_is_never_a_server_error(client: CheckedClient, path: str, body: Any) -> None:
    post(client, path, encode(body))


@bounded(MAX_EXAMPLES_MUTATED_REQUEST)
@given(path=st.sampled_from(SERVICE_PATHS), body=mutated(BEV_REQUEST))
def test_mutated_order_select_request_is_never_a_server_error(
    client: CheckedClient, path: str, body: dict[str, Any]
) -> None:
    post(client, path, encode(body))


@bounded(MAX_EXAMPLES_WRONG_TYPES)
@given(body=mutated(BEV_REQUEST, under=(("prefetch",), ("context", "draftOrders"))))
def test_wrong_types_in_prefetch_resources_and_draft_orders_are_never_a_server_error(
    client: CheckedClient, body: dict[str, Any]
) -> None:
    post(client, ORDER_SELECT, encode(body))


@bounded(MAX_EXAMPLES_FEEDBACK)
@given(path=st.sampled_from(FEEDBACK_PATHS), body=mutated(FEEDBACK_BODY))
def test_mutated_feedback_is_never_a_server_error(
    client: CheckedClient, path: str, body: dict[str, Any]
) -> None:
    post(client, path, encode(body))


@bounded(MAX_EXAMPLES_RANDOM_BYTES)
@given(path=st.sampled_from(POST_PATHS), body=st.binary(max_size=2048))
def test_random_bytes_declared_as_json_are_never_a_server_error(
    client: CheckedClient, path: str, body: bytes
) -> None:
    post(client, path, body)


MEDIA_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/fhir+json",
        "text/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
        ";",
        "application/json;;;",
        "+json",
    ]
) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


@bounded(MAX_EXAMPLES_CONTENT_TYPES)
@given(path=st.sampled_from(SERVICE_PATHS + FEEDBACK_PATHS), content_type=MEDIA_TYPES | st.none())
def test_random_content_type_is_415_unless_it_is_json(
    client: CheckedClient, path: str, content_type: str | None
) -> None:
    body = FEEDBACK_BODY if path.endswith("/feedback") else BEV_REQUEST
    media = (content_type or "").split(";")[0].strip().lower()
    is_json = media == "application/json" or media.endswith("+json")

    response = post(client, path, encode(body), content_type)

    assert (response.status_code == 415) == (not is_json), (content_type, response.status_code)


# --- hypothesis: token claims -----------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_by_hand(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """Signed with the trusted ES384 key, whatever the claims hold (a JWT library refuses some of them)."""
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    algorithm = jwt.algorithms.get_default_algorithms()["ES384"]
    return f"{head}.{body}.{b64url(algorithm.sign(f'{head}.{body}'.encode(), ES384.private))}"


NOW_S = int(FROZEN_NOW.timestamp())
CLAIM_VALUES = (
    st.integers(min_value=NOW_S - 7200, max_value=NOW_S + 7200)
    | st.floats()  # NaN and infinities included: a NaN exp once passed every comparison, then was a 500
    | st.integers()
    | SCALARS
    | st.lists(SCALARS, max_size=3)
)


@bounded(MAX_EXAMPLES_TOKEN_CLAIMS)
@given(
    changes=st.dictionaries(
        st.sampled_from(["iss", "aud", "exp", "iat", "nbf", "jti", "sub", "tenant"]), CLAIM_VALUES, max_size=4
    ),
    dropped=st.sets(st.sampled_from(["iss", "aud", "exp", "iat", "jti"]), max_size=2),
    header=st.dictionaries(st.sampled_from(["kid", "typ", "jku", "x5u", "crit", "cty"]), SCALARS, max_size=2),
    nonce=st.uuids(),
)
def test_correctly_signed_token_with_arbitrary_claims_is_200_or_401(
    client: CheckedClient,
    changes: dict[str, Any],
    dropped: set[str],
    header: dict[str, Any],
    nonce: Any,
) -> None:
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": PUBLIC_BASE + "/cds-services",
        "exp": NOW_S + 300,
        "iat": NOW_S,
        "jti": str(nonce),
    }
    payload.update(changes)
    for claim in dropped:
        payload.pop(claim, None)
    authorization = "Bearer " + signed_by_hand(
        {"alg": "ES384", "typ": "JWT", "kid": ES384.kid, **header}, payload
    )

    response = client.get("/cds-services", headers={"Authorization": authorization})

    assert response.status_code in (200, 401), response.text[:300]
    response.json()


# --- body size and nesting --------------------------------------------------------------------------------------

LIMIT = 4096


@pytest.fixture
def small_limit(tmp_path: Path) -> Iterator[CheckedClient]:
    settings_ = suite_settings(tmp_path, max_body_bytes=LIMIT)
    with CheckedClient(
        create_app(settings_, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())
    ) as test_client:
        yield test_client


def padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON of exactly `size` bytes (an ignored extension field takes up the rest)."""
    empty = encode({**body, "extension": {"padding": ""}})
    return encode({**body, "extension": {"padding": "x" * (size - len(empty))}})


@pytest.mark.parametrize("path", [ORDER_SELECT, f"{ORDER_SELECT}/feedback"])
def test_body_larger_than_the_limit_is_413(small_limit: CheckedClient, path: str) -> None:
    content = padded(BEV_REQUEST, LIMIT + 1)

    response = post(small_limit, path, content)

    assert response.status_code == 413, response.text


@pytest.mark.parametrize("path", [ORDER_SELECT, f"{ORDER_SELECT}/feedback"])
def test_streamed_body_larger_than_the_limit_is_413(small_limit: CheckedClient, path: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 64 KiB in all, sent chunked: no Content-Length to refuse it by
            yield b" " * 1024

    response = small_limit.post(path, content=chunks(), headers={"Content-Type": "application/json"})

    assert response.status_code == 413, response.text
    assert response.json()["resourceType"] == "OperationOutcome"


def test_body_at_the_limit_is_not_refused_for_its_size(small_limit: CheckedClient) -> None:
    content = padded(BEV_REQUEST, LIMIT)
    assert len(content) == LIMIT

    response = post(small_limit, ORDER_SELECT, content)

    assert response.status_code == 200, response.text


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("where", "depth"),
    [("body", 5000), ("context", 5000), ("prefetch", 5000), ("draft-order", 5000), ("body", 100_000)],
)
def test_deep_json_nesting_is_400(client: CheckedClient, where: str, depth: int) -> None:
    content = nested_request(where, depth)

    response = post(client, ORDER_SELECT, content)

    assert response.status_code == 400, response.text


@pytest.mark.parametrize("where", ["context", "prefetch", "draft-order"])
def test_nesting_just_within_the_parsers_limit_is_not_a_server_error(
    client: CheckedClient, where: str
) -> None:
    post(client, ORDER_SELECT, nested_request(where, 1000))


def nested_request(where: str, depth: int) -> bytes:
    if where == "body":
        return nested(depth).encode()
    marker = '"__NESTED__"'
    request = copy.deepcopy(BEV_REQUEST)
    if where == "context":
        request["context"]["extension"] = "__NESTED__"
    elif where == "prefetch":
        request["prefetch"]["serviceRequests"]["entry"][0]["resource"]["extension"] = "__NESTED__"
    else:
        request["context"]["draftOrders"]["entry"][0]["resource"]["note"] = "__NESTED__"
    return json.dumps(request).replace(marker, nested(depth)).encode()


def test_prefetch_bundle_with_more_entries_than_the_limit_is_not_a_server_error(tmp_path: Path) -> None:
    settings_ = suite_settings(tmp_path, max_bundle_entries=10)
    request = copy.deepcopy(BEV_REQUEST)
    entry = request["prefetch"]["serviceRequests"]["entry"][0]
    request["prefetch"]["serviceRequests"]["entry"] = [copy.deepcopy(entry) for _ in range(500)]
    with CheckedClient(
        create_app(settings_, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())
    ) as test_client:
        post(test_client, ORDER_SELECT, encode(request))


# --- schemathesis -----------------------------------------------------------------------------------------------


def with_fresh_tokens(schema: Any, sent: Counter[str]) -> None:
    """A schemathesis auth hook: every generated call gets its own token for the endpoint it calls (aud is
    the decoded path, as the service sees it), so none is refused as a replay."""

    @schema.auth(refresh_interval=None, retry_on=[])
    class FreshToken:
        def get(self, case: Any, context: Any) -> str:
            sent["tokens"] += 1
            return token(ES384, PUBLIC_BASE + unquote(case.formatted_path), FROZEN_NOW)

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def run_schemathesis(
    schema: Any, modes: list[Any], examples: int, operations: Callable[[str], bool] = lambda label: True
) -> Counter[tuple[str, int]]:
    statuses: Counter[tuple[str, int]] = Counter()

    def fuzz(strategy: Any, label: str) -> None:
        @bounded(examples)
        @given(case=strategy)
        def call(case: Any) -> None:
            response = case.call()
            statuses[(label, response.status_code)] += 1
            case.validate_response(response, checks=[not_a_server_error])

        call()

    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operations(operation.label):
            for mode in modes:
                fuzz(operation.as_strategy(generation_mode=mode, auth_storage=schema.auth), operation.label)
    return statuses


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings_ = suite_settings(tmp_path_factory.mktemp("schemathesis"))
    return create_app(settings_, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())


def test_schemathesis_on_the_own_openapi_document_finds_no_server_error(fuzz_app: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    sent: Counter[str] = Counter()
    with_fresh_tokens(schema, sent)

    statuses = run_schemathesis(
        schema, [schemathesis.GenerationMode.POSITIVE], SCHEMATHESIS_EXAMPLES_PER_OPERATION
    )

    print(f"schemathesis (own document): {sum(statuses.values())} calls, {dict(statuses)}")
    assert all(status < 500 for _, status in statuses)
    assert {label for label, _ in statuses} == {
        "GET /cds-services",
        "POST /cds-services/{service_id}",
        "POST /cds-services/{service_id}/feedback",
        "GET /sources",
        "GET /sources/{short_name}",
        "GET /analytics/feedback",
        "GET /fhir/CodeSystem/{system_id}",
        "GET /fhir/ValueSet/{set_id}",
        "GET /fhir/ValueSet",
    }
    assert sent["tokens"] >= sum(statuses.values())


def document_with_request_bodies(app: Any) -> dict[str, Any]:
    """The app's OpenAPI document, plus what it does not say (the bodies are read raw): the request bodies as the
    wire models define them, and the service ids the path names."""
    document: dict[str, Any] = copy.deepcopy(app.openapi())
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for path, model in (
        ("/cds-services/{service_id}", HookRequest),
        ("/cds-services/{service_id}/feedback", FeedbackRequest),
    ):
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components[model.__name__] = body
        operation = document["paths"][path]["post"]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
        for parameter in operation["parameters"]:
            if parameter["name"] == "service_id":
                parameter["schema"] = {"type": "string", "enum": [s.id for s in SERVICES]}
    return document


def test_schemathesis_on_the_request_bodies_finds_no_server_error(fuzz_app: Any) -> None:
    schema = schemathesis.openapi.from_dict(document_with_request_bodies(fuzz_app))
    schema.app = fuzz_app
    sent: Counter[str] = Counter()
    with_fresh_tokens(schema, sent)

    statuses = run_schemathesis(
        schema,
        [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        SCHEMATHESIS_BODY_EXAMPLES_PER_MODE,
        operations=lambda label: label.startswith("POST"),
    )

    print(f"schemathesis (request bodies): {sum(statuses.values())} calls, {dict(statuses)}")
    assert all(status in ALLOWED for _, status in statuses), statuses
    assert sum(n for (_, status), n in statuses.items() if status != 401) > 0

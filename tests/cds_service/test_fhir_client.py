"""FhirClient against an in-test FHIR server: what it returns, what it refuses, where the token goes, and its bounds
in time, size and pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cds_service.fhir_client import FhirClient, FhirLimits, FhirUnavailable
from tests.fake_fhir import FakeFhirServer, Reply, outcome, running_fake_fhir, searchset

TOKEN = "test-access-token-7f3a"
BEARER = f"Bearer {TOKEN}"

MakeClient = Callable[..., FhirClient]


def patient(pid: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid}


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    with running_fake_fhir() as server:
        yield server


@pytest.fixture
def other_origin() -> Iterator[FakeFhirServer]:
    """A second server on another port: another origin, which must never see a request or the token."""
    with running_fake_fhir() as server:
        yield server


@pytest.fixture
def make(fhir: FakeFhirServer) -> Iterator[MakeClient]:
    made: list[FhirClient] = []

    def factory(
        token: str | None = TOKEN, deadline: float = 5.0, base: str | None = None, **limits: Any
    ) -> FhirClient:
        client = FhirClient(base or fhir.base, token, FhirLimits(**limits), time.monotonic() + deadline)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


# --- what is returned ------------------------------------------------------------------------------------------


def test_search_returns_every_resource_of_a_searchset_bundle(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("a"), patient("b"))))

    found = make().search_all("Patient?name=x")

    assert [r["id"] for r in found] == ["a", "b"]
    assert [s.path for s in fhir.seen] == ["/fhir/Patient?name=x"]


def test_read_of_a_single_resource_returns_that_resource(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Medication/m1", Reply(json={"resourceType": "Medication", "id": "m1"}))

    assert make().search_all("Medication/m1") == [{"resourceType": "Medication", "id": "m1"}]


def test_bearer_token_and_fhir_json_accept_header_are_sent(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset()))

    make().get("Patient")

    (seen,) = fhir.seen
    assert seen.authorization == BEARER
    assert seen.headers.get("accept") == "application/fhir+json"


def test_without_a_token_no_authorization_header_is_sent(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset()))

    make(token=None).get("Patient")

    (seen,) = fhir.seen
    assert seen.authorization is None


def test_next_link_on_the_same_server_is_followed_with_the_token(
    fhir: FakeFhirServer, make: MakeClient
) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{fhir.base}/page2?cursor=abc")))
    fhir.route("page2", Reply(json=searchset(patient("p2"))))

    found = make().search_all("Patient?name=x")

    assert [r["id"] for r in found] == ["p1", "p2"]
    assert [s.path for s in fhir.seen] == ["/fhir/Patient?name=x", "/fhir/page2?cursor=abc"]
    assert [s.authorization for s in fhir.seen] == [BEARER, BEARER]


def test_next_link_to_another_origin_is_not_followed(
    fhir: FakeFhirServer, other_origin: FakeFhirServer, make: MakeClient
) -> None:
    other_origin.route("page2", Reply(json=searchset(patient("stolen"))))
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{other_origin.base}/page2")))

    found = make().search_all("Patient")

    assert [r["id"] for r in found] == ["p1"]
    assert other_origin.seen == []


def test_next_link_outside_the_base_path_on_the_same_host_is_not_followed(
    fhir: FakeFhirServer, make: MakeClient
) -> None:
    # "…/fhir-other" shares a string prefix with the base "…/fhir" but is not under it
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{fhir.base}-other/page2")))

    found = make().search_all("Patient")

    assert [r["id"] for r in found] == ["p1"]
    assert [s.path for s in fhir.seen] == ["/fhir/Patient"]


def test_absolute_url_on_another_origin_is_refused_without_a_request(
    other_origin: FakeFhirServer, make: MakeClient
) -> None:
    other_origin.route("Patient", Reply(json=searchset(patient("x"))))

    with pytest.raises(FhirUnavailable):
        make().get(f"{other_origin.base}/Patient")
    assert other_origin.seen == []


# --- what is refused -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 500, 503])
def test_refused_or_failed_answer_is_unavailable(fhir: FakeFhirServer, make: MakeClient, status: int) -> None:
    fhir.route("Patient", Reply(status, outcome()))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")


@pytest.mark.parametrize("status", [404, 410])
def test_missing_resource_is_none_and_missing_search_is_empty(
    fhir: FakeFhirServer, make: MakeClient, status: int
) -> None:
    fhir.route("Patient", Reply(status, outcome("not-found")))
    client = make()

    assert client.get("Patient/nope") is None
    assert client.search_all("Patient?name=x") == []


def test_non_json_body_is_unavailable(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(raw=b"<html>Service temporarily unavailable</html>"))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")


@pytest.mark.parametrize(
    "body",
    [[{"resourceType": "Patient"}], {"id": "x"}, {"resourceType": 7}, "Patient", 42, None],
    ids=["array", "no-resourceType", "resourceType-not-string", "string", "number", "null"],
)
def test_json_that_is_not_a_fhir_resource_is_unavailable(
    fhir: FakeFhirServer, make: MakeClient, body: Any
) -> None:
    fhir.route("Patient", Reply(raw=b"null" if body is None else None, json=body))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")


def test_operation_outcome_with_status_200_is_unavailable(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(200, outcome("too-costly")))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")


def test_redirect_is_not_followed(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(302, raw=b"", headers={"Location": f"{fhir.base}/moved"}))
    fhir.route("moved", Reply(json=searchset(patient("p1"))))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")
    assert fhir.hits("moved") == []


def test_redirect_to_another_origin_never_carries_the_token(
    fhir: FakeFhirServer, other_origin: FakeFhirServer, make: MakeClient
) -> None:
    fhir.route("Patient", Reply(302, raw=b"", headers={"Location": f"{other_origin.base}/Patient"}))
    other_origin.route("Patient", Reply(json=searchset(patient("p1"))))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")
    assert other_origin.seen == []


# --- bounds ----------------------------------------------------------------------------------------------------


def _padded_bundle(size: int) -> bytes:
    """A valid searchset Bundle of exactly `size` bytes."""
    head, tail = b'{"resourceType":"Bundle","type":"searchset","entry":[],"meta":{"tag":[{"code":"', b'"}]}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_body_larger_than_max_bytes_is_unavailable(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(raw=_padded_bundle(200_000)))

    with pytest.raises(FhirUnavailable, match="too large"):
        make(max_bytes=100_000).search_all("Patient")


def test_body_of_exactly_max_bytes_is_read(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(raw=_padded_bundle(100_000)))

    assert make(max_bytes=100_000).search_all("Patient") == []
    assert len(fhir.hits("Patient")) == 1


def test_server_slower_than_the_deadline_is_unavailable_within_the_deadline(
    fhir: FakeFhirServer, make: MakeClient
) -> None:
    deadline = 0.5
    fhir.route("Patient", Reply(json=searchset(patient("late")), wait=10.0))
    client = make(deadline=deadline, connect_timeout=5.0, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(FhirUnavailable):
        client.search_all("Patient")
    assert time.monotonic() - started < deadline + 1.0


def test_read_timeout_shorter_than_the_deadline_applies(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("late")), wait=10.0))
    client = make(deadline=30.0, read_timeout=0.3)

    started = time.monotonic()
    with pytest.raises(FhirUnavailable):
        client.search_all("Patient")
    assert time.monotonic() - started < 0.3 + 1.0


def test_passed_deadline_sends_no_request(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset()))

    with pytest.raises(FhirUnavailable, match="deadline"):
        make(deadline=-1.0).get("Patient")
    assert fhir.seen == []


def test_page_cap_stops_following_next_links(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{fhir.base}/page?n=2")))
    for n in range(2, 10):
        fhir.route(
            f"page?n={n}", Reply(json=searchset(patient(f"p{n}"), next_url=f"{fhir.base}/page?n={n + 1}"))
        )

    found = make(max_pages=3).search_all("Patient")

    assert [r["id"] for r in found] == ["p1", "p2", "p3"]
    assert [s.path for s in fhir.seen] == ["/fhir/Patient", "/fhir/page?n=2", "/fhir/page?n=3"]


def test_next_link_loop_is_bounded_by_the_page_cap(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{fhir.base}/Patient")))

    found = make(max_pages=4).search_all("Patient")

    assert len(found) == 4
    assert len(fhir.hits("Patient")) == 4


def test_failing_second_page_makes_the_search_unavailable(fhir: FakeFhirServer, make: MakeClient) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("p1"), next_url=f"{fhir.base}/page2")))
    fhir.route("page2", Reply(500, outcome()))

    with pytest.raises(FhirUnavailable):
        make().search_all("Patient")


def test_body_dripped_slower_than_the_deadline_is_unavailable_within_the_deadline(
    fhir: FakeFhirServer, make: MakeClient
) -> None:
    # each socket read gets 16 bytes well within the read timeout, but the whole body takes ~2.5 s
    deadline = 0.5
    fhir.route("Patient", Reply(raw=_padded_bundle(16 * 25), drip=0.1))
    client = make(deadline=deadline, connect_timeout=5.0, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(FhirUnavailable):
        client.search_all("Patient")
    assert time.monotonic() - started < deadline + 1.0

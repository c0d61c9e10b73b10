"""Every error is an OperationOutcome, and the API description is for developers only (issue #18, items 10 and
14): a CORS preflight from an unlisted origin answered text/plain, and /docs and /openapi.json were served without
a token in production."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import make_client, suite_settings

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
LISTED = "https://ehr.example.org"


def test_a_refused_preflight_is_an_operation_outcome_and_its_origin_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        make_client(suite_settings(tmp_path, dev=False, cors_origins=[LISTED])) as client,
        caplog.at_level(logging.WARNING, logger="cds_service.web.cors"),
    ):
        refused = [
            client.options("/cds-services", headers={"Origin": "https://sandbox.example", **PREFLIGHT})
            for _ in range(3)
        ]
        allowed = client.options("/cds-services", headers={"Origin": LISTED, **PREFLIGHT})
    assert {r.status_code for r in refused} == {400}
    assert refused[0].headers["content-type"] == "application/json"
    assert refused[0].json()["issue"][0]["diagnostics"] == "Disallowed CORS origin"
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == LISTED
    logged = [r.getMessage() for r in caplog.records if r.name == "cds_service.web.cors"]
    assert len(logged) == 1 and "https://sandbox.example" in logged[0] and "CDS_CORS_ORIGINS" in logged[0]


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_the_api_description_is_served_in_dev_only(tmp_path: Path, path: str) -> None:
    with make_client(suite_settings(tmp_path, dev=False)) as production:
        hidden = production.get(path)
    with make_client(suite_settings(tmp_path, dev=True)) as dev:
        shown = dev.get(path)
    assert hidden.status_code == 404 and hidden.json()["resourceType"] == "OperationOutcome"
    assert shown.status_code == 200

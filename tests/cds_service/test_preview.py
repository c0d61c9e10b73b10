"""The preview page without a browser: when it is mounted, what it lists, and the headers it is served with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_service.app import create_app
from cds_service.settings import Settings
from cds_service.web import preview
from tests.auth_keys import PUBLIC_BASE, trusted_clients_file
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "examples"


def client(tmp_path: Path, **values: Any) -> TestClient:
    settings = Settings(**{"database_url": f"sqlite:///{tmp_path / 'cds.sqlite3'}", **values})
    return TestClient(create_app(settings))


@pytest.fixture
def dev_client(tmp_path: Path) -> TestClient:
    return client(tmp_path, dev=True)


def test_preview_is_served_in_dev_mode(dev_client: TestClient) -> None:
    response = dev_client.get("/preview")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<select id="example">' in response.text
    assert "peritoneal-metastasis-order-select" in response.text


def test_preview_is_absent_outside_dev_mode_by_default(tmp_path: Path) -> None:
    production = client(
        tmp_path, dev=False, trusted_clients=trusted_clients_file(tmp_path), public_base_url=PUBLIC_BASE
    )

    for path in ("/preview", "/preview/examples.json", "/preview/preview.js"):
        assert production.get(path).status_code == 404, path


def test_preview_can_be_turned_off_in_dev_mode(tmp_path: Path) -> None:
    assert client(tmp_path, dev=True, preview=False).get("/preview").status_code == 404


def test_cds_preview_true_turns_it_on_outside_dev_mode_with_a_token_field(tmp_path: Path) -> None:
    production = client(
        tmp_path,
        dev=False,
        preview=True,
        trusted_clients=trusted_clients_file(tmp_path),
        public_base_url=PUBLIC_BASE,
    )

    page = production.get("/preview")

    assert page.status_code == 200
    assert 'data-auth="jwt"' in page.text
    assert 'id="token"' in page.text


def test_dev_mode_without_trusted_clients_needs_no_token(dev_client: TestClient) -> None:
    page = dev_client.get("/preview").text

    assert 'data-auth="none"' in page
    assert 'id="token"' not in page


def test_the_page_forbids_inline_script_and_foreign_origins(dev_client: TestClient) -> None:
    for path in ("/preview", "/preview/preview.js", "/preview/preview.css", "/preview/examples.json"):
        policy = dev_client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert "default-src 'none'" in policy, path


def test_assets_are_served_with_their_types_and_nothing_else_is(dev_client: TestClient) -> None:
    assert dev_client.get("/preview/preview.js").headers["content-type"].startswith("text/javascript")
    assert dev_client.get("/preview/preview.css").headers["content-type"].startswith("text/css")
    assert dev_client.get("/preview/preview.py").status_code == 404
    assert dev_client.get("/preview/..%2Fapp.py").status_code == 404


def test_examples_are_the_hook_requests_of_fixtures_examples(dev_client: TestClient) -> None:
    examples = dev_client.get("/preview/examples.json").json()["examples"]
    expected = sorted(p.stem for p in EXAMPLES.glob("*.json"))

    assert [e["name"] for e in examples] == expected
    by_name = {e["name"]: e for e in examples}
    order = by_name["order-select-bevacizumab-14-days-before-laparotomy"]
    assert order["hook"] == "order-select"
    assert order["patientId"] == "pm-cervical-001"
    assert [o["reference"] for o in order["orders"]] == ["MedicationRequest/bev-draft-1"]
    assert "bevacizumab" in order["orders"][0]["label"]
    assert order["request"] == json.loads(
        (EXAMPLES / "order-select-bevacizumab-14-days-before-laparotomy.json").read_text()
    )
    assert by_name["patient-view-active-bevacizumab-and-planned-laparotomy"]["orders"] == []


def test_the_example_options_are_rendered_on_the_server_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    folder.mkdir()
    request = json.loads((EXAMPLES / "order-select-bevacizumab-14-days-before-laparotomy.json").read_text())
    (folder / 'order-select-<b>bold"&.json').write_text(json.dumps(request))
    (folder / "not-a-request.json").write_text('{"resourceType": "Bundle"}')
    (folder / "broken.json").write_text("{")

    examples = preview.load_examples(folder)

    assert [e.name for e in examples] == ['order-select-<b>bold"&']
    app = create_app(Settings(dev=True, database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}"))
    app.state.preview_examples = examples
    page = TestClient(app).get("/preview").text
    assert 'value="order-select-&lt;b&gt;bold&quot;&amp;"' in page
    assert "<b>bold" not in page


def test_an_installation_without_fixtures_lists_no_examples(tmp_path: Path) -> None:
    assert preview.examples_folder((tmp_path / "absent", tmp_path / "also-absent")) is None
    assert preview.load_examples(None) == ()

    app = create_app(Settings(dev=True, database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}"))
    app.state.preview_examples = ()
    test_client = TestClient(app)
    assert test_client.get("/preview/examples.json").json() == {"examples": []}
    assert 'id="no-examples"' in test_client.get("/preview").text


def test_the_first_existing_examples_folder_is_used(tmp_path: Path) -> None:
    copy = tmp_path / "fixtures" / "examples"
    shutil.copytree(EXAMPLES, copy)

    assert preview.examples_folder((tmp_path / "absent", copy)) == copy
    assert preview.examples_folder() == preview.PACKAGE_EXAMPLES  # a source checkout: beside the package

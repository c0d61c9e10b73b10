"""The command line: `serve` runs unauthenticated only in --dev, and checks the trusted clients before any
worker starts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cds_service import cli
from cds_service.web.http_limits import MAX_HEAD_BYTES, BoundedH11
from tests.auth_keys import PUBLIC_BASE, trusted_clients_file


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Any]:
    runs: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: runs.append((a, k)))
    for name in ("CDS_DEV", "CDS_TRUSTED_CLIENTS", "CDS_PUBLIC_BASE_URL"):
        monkeypatch.setenv(name, "")  # restored after the test
        monkeypatch.delenv(name)
    monkeypatch.setenv("CDS_DATABASE_URL", f"sqlite:///{tmp_path / 'cds.sqlite3'}")  # serve opens it
    return runs


def test_serve_without_dev_or_trusted_clients_refuses_and_says_why(
    started: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve"]) == 2
    assert started == []
    assert "CDS_TRUSTED_CLIENTS" in capsys.readouterr().err


def test_serve_with_a_trusted_clients_file_runs_authenticated(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(trusted_clients_file(tmp_path)))
    monkeypatch.setenv("CDS_PUBLIC_BASE_URL", PUBLIC_BASE)
    assert cli.main(["serve", "--port", "9002", "--workers", "2"]) == 0
    [(args, kwargs)] = started
    assert args == ("cds_service.app:create_app",)
    served = {k: kwargs.pop(k) for k in ("http", "h11_max_incomplete_event_size", "log_config")}
    assert kwargs == {"factory": True, "host": "127.0.0.1", "port": 9002, "workers": 2}
    # the head-bounded protocol, and every log handler filtered (issue #18, items 2, 7, 8, 9)
    assert (served["http"], served["h11_max_incomplete_event_size"]) == (BoundedH11, MAX_HEAD_BYTES)
    assert all("safe" in h["filters"] for h in served["log_config"]["handlers"].values())
    assert os.environ["CDS_DEV"] == "false"


def test_serve_without_a_public_base_url_refuses(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(trusted_clients_file(tmp_path)))
    assert cli.main(["serve"]) == 2
    assert "CDS_PUBLIC_BASE_URL" in capsys.readouterr().err


def test_serve_with_a_malformed_trusted_clients_file_names_the_entry(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "clients.json"
    bad.write_text(
        json.dumps({"clients": [{"iss": "https://a.example.org", "jku": ["http://keys.example.org"]}]})
    )
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(bad))
    monkeypatch.setenv("CDS_PUBLIC_BASE_URL", PUBLIC_BASE)
    assert cli.main(["serve"]) == 2
    assert started == []
    assert "clients[0].jku" in capsys.readouterr().err


def test_serve_dev_runs_the_app_factory_with_a_warning(
    started: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert cli.main(["serve", "--dev", "--host", "127.0.0.2", "--port", "9001", "--workers", "3"]) == 0
    [(args, kwargs)] = started
    assert args == ("cds_service.app:create_app",)
    assert {
        k: v for k, v in kwargs.items() if k not in ("http", "h11_max_incomplete_event_size", "log_config")
    } == {
        "factory": True,
        "host": "127.0.0.2",
        "port": 9001,
        "workers": 3,
    }
    assert os.environ["CDS_DEV"] == "true"
    assert "DEVELOPMENT MODE" in caplog.text and "no client authentication" in caplog.text


def test_serve_with_a_database_that_cannot_be_opened_refuses_and_says_why(
    started: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDS_DATABASE_URL", "nosuchdb://db.example.org/cds")
    assert cli.main(["serve", "--dev"]) == 2
    assert started == []
    err = capsys.readouterr().err
    assert "refusing to start: CDS_DATABASE_URL cannot be opened" in err and "nosuchdb" in err


def test_serve_makes_the_tables_before_any_worker_starts(started: list[Any], tmp_path: Path) -> None:
    assert cli.main(["serve", "--dev"]) == 0
    assert (tmp_path / "cds.sqlite3").is_file()


def test_unknown_command_is_rejected() -> None:
    with pytest.raises(SystemExit):
        cli.main(["launch"])

"""The command line: `serve` refuses to run unauthenticated outside development mode."""

from __future__ import annotations

import os
from typing import Any

import pytest

from cds_service import cli


def test_serve_without_dev_refuses_and_says_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    assert cli.main(["serve"]) == 2
    assert started == []
    assert "client authentication" in capsys.readouterr().err


def test_serve_dev_runs_the_app_factory_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    monkeypatch.setenv("CDS_DEV", "false")  # restored after the test
    assert cli.main(["serve", "--dev", "--host", "127.0.0.2", "--port", "9001", "--workers", "3"]) == 0
    [(args, kwargs)] = started
    assert args == ("cds_service.app:create_app",)
    assert kwargs == {"factory": True, "host": "127.0.0.2", "port": 9001, "workers": 3}
    assert os.environ["CDS_DEV"] == "true"
    assert "DEVELOPMENT MODE" in caplog.text


def test_unknown_command_is_rejected() -> None:
    with pytest.raises(SystemExit):
        cli.main(["launch"])

"""Log lines are safe to read (issue #18, items 8 and 9): a caller's control characters cannot forge a line or
colour a terminal, a token in a query string or anywhere in a message never lands in the log, and access lines
carry the path without its query string. The serve command's logging config puts the filter on every handler."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from uvicorn.config import LOGGING_CONFIG

from cds_service.log_safety import REDACTED_JWT, SafeLogFilter, safe_log_config, safe_text
from tests.auth_keys import ES384, PUBLIC_BASE, token
from tests.conftest import FROZEN_NOW

FORGED = 'x\n2026-12-04 INFO peritoneal_cds.audit {"status":200}\r\x1b[31mred'
JWT = token(ES384, PUBLIC_BASE + "/cds-services", FROZEN_NOW)


@pytest.mark.parametrize("control", ["\n", "\r", "\x1b", "\x00", "\u2028"])
def test_control_characters_are_written_as_escapes(control: str) -> None:
    out = safe_text(f"iss={control}forged")
    assert control not in out and out.startswith("iss=\\") and out.endswith("forged")


def test_jwt_shaped_text_is_redacted_wherever_it_is() -> None:
    assert safe_text(f"POST /x?access_token={JWT} bad") == f"POST /x?access_token={REDACTED_JWT} bad"


def _capture(logger: logging.Logger) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SafeLogFilter())
    logger.addHandler(handler)
    return stream, handler


def test_a_forged_iss_stays_on_one_line() -> None:
    logger = logging.getLogger("cds_service.app")
    stream, handler = _capture(logger)
    try:
        logger.warning("authentication failed: check=%s iss=%s jti=%s", "iss", FORGED, None)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("\n") == 1 and "\x1b" not in text and "\\n2026-12-04 INFO" in text


def test_access_lines_keep_the_path_and_drop_the_query() -> None:
    logger = logging.getLogger("uvicorn.access")
    stream, handler = _capture(logger)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level, logger.level = logger.level, logging.INFO
    try:
        logger.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "POST",
            f"/cds-services/x?access_token={JWT}",
            "1.1",
            401,
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert stream.getvalue() == '127.0.0.1:5000 - "POST /cds-services/x HTTP/1.1" 401\n'


@pytest.fixture
def served_logging() -> Iterator[None]:
    """The logging config `peritoneal-cds serve` hands uvicorn (and so every worker), restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logging.config.dictConfig(safe_log_config(LOGGING_CONFIG))
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_served_config_filters_every_handler_and_our_loggers(served_logging: None) -> None:
    config = safe_log_config(LOGGING_CONFIG)
    assert all("safe" in handler["filters"] for handler in config["handlers"].values())
    handler = [h for h in logging.getLogger().handlers if h.name == "default"][-1]  # the one dictConfig made
    assert isinstance(handler, logging.StreamHandler)
    assert any(isinstance(f, SafeLogFilter) for f in handler.filters)
    stream = io.StringIO()
    handler.setStream(stream)
    logging.getLogger("cds_service.pipeline").warning("hookInstance=%s", FORGED)
    assert stream.getvalue().count("\n") == 1 and "\\r\\x1b[31mred" in stream.getvalue()

"""Every log line the service writes is made safe to read: control characters escaped (no forged lines, no
terminal escapes from a caller's `iss`, path or hookInstance), anything shaped like a JWT redacted, and the
query string left out of access-log lines (a token sent as `?access_token=` must not land in the log).

The filter sits on the handlers (the root's and uvicorn's), so it covers every logger, ours and the server's.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
REDACTED_JWT = "[jwt redacted]"
ACCESS_LOGGER = "uvicorn.access"


def safe_text(value: str) -> str:
    """`value` with JWT-shaped runs redacted and control characters written as escapes (\\n, \\x1b…)."""
    redacted = _JWT.sub(REDACTED_JWT, value)
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), redacted)


class SafeLogFilter(logging.Filter):
    """Rewrites each record's message safe (see the module docstring); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (
                client,
                safe_text(str(method)),
                safe_text(str(path).split("?", 1)[0]),
                version,
                status,
            )
            return True
        record.msg, record.args = safe_text(record.getMessage()), None
        return True


def safe_log_config(base: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's logging config (`base`) with the filter on every handler and the root logger at INFO through
    the default handler, so that each worker's own logs are filtered too."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["safe"] = {"()": SafeLogFilter}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "safe"]
    config["root"] = {"handlers": ["default"], "level": "INFO"}
    return config


def install_on_root() -> None:
    """The filter on the root logger's handlers (the CLI's own process, before uvicorn starts)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(SafeLogFilter())

"""The service's small vocabulary of domain errors, and the one place they become HTTP responses.

Every error body is a FHIR OperationOutcome (as CDS Hooks 3.0 recommends and 2.0 clients accept); no handler ever
returns a traceback, and logs carry the error code, never request content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CdsError(Exception):
    """Base of domain errors: an HTTP status, an OperationOutcome issue code and the fields it concerns."""

    message: str
    fields: list[str] = field(default_factory=list)
    status: int = 500
    issue_code: str = "exception"

    def __str__(self) -> str:
        return self.message


@dataclass
class MalformedRequest(CdsError):
    status: int = 400
    issue_code: str = "invalid"


@dataclass
class NotFound(CdsError):
    status: int = 404
    issue_code: str = "not-found"


@dataclass
class UnsupportedMediaType(CdsError):
    status: int = 415
    issue_code: str = "not-supported"


@dataclass
class PrefetchUnobtainable(CdsError):
    """Required data is neither in prefetch nor obtainable from the FHIR server (CDS Hooks 2.0: 412)."""

    status: int = 412
    issue_code: str = "incomplete"


class ConfigError(ValueError):
    """Start-up configuration is unusable; the message names the file or variable and the entry."""


@dataclass
class PayloadTooLarge(CdsError):
    status: int = 413
    issue_code: str = "too-costly"


@dataclass
class RequestTimeout(CdsError):
    """The request body did not arrive within the read deadline (CDS_BODY_TIMEOUT_SECONDS)."""

    status: int = 408
    issue_code: str = "timeout"


@dataclass
class ClientClosedRequest(CdsError):
    """The caller closed its connection before its body was read (it gave up while its call waited): an answer
    would reach nobody, so none is computed (499, as proxies log it)."""

    status: int = 499
    issue_code: str = "incomplete"


MAX_LISTED_FIELDS = 20
"""Fields an OperationOutcome names one issue each; the rest are counted in one more issue. A body with a million
bad elements would otherwise be answered with a million issues (160 MB, and gigabytes to build)."""


def operation_outcome(message: str, issue_code: str, fields: list[str] | None = None) -> dict[str, Any]:
    """An OperationOutcome with one error issue per named field, up to MAX_LISTED_FIELDS and then one issue saying
    how many more there are (or one issue without expression)."""
    targets: list[str | None] = list(fields[:MAX_LISTED_FIELDS]) if fields else [None]
    issues = []
    for target in targets:
        issue: dict[str, Any] = {"severity": "error", "code": issue_code, "diagnostics": message}
        if target is not None:
            issue["expression"] = [target]
        issues.append(issue)
    if fields and len(fields) > MAX_LISTED_FIELDS:
        unlisted = len(fields) - MAX_LISTED_FIELDS
        diagnostics = (
            f"{unlisted} more invalid fields are not listed (only the first {MAX_LISTED_FIELDS} are)"
        )
        issues.append({"severity": "error", "code": issue_code, "diagnostics": diagnostics})
    return {"resourceType": "OperationOutcome", "issue": issues}

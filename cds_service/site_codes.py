"""The site's code mappings (`CDS_SITE_CODES`, JSON or YAML by extension), read once at start-up.

Shape::

    valueSets:
      hipec:
        - {system: "urn:oid:1.2.3.4.5", code: "HIPEC-01", display: "HIPEC (local order)"}

Each code joins the built-in value set named by its key, so a local order or lab code counts exactly like the
standard ones (and a mapped Observation code is asked for in the prefetch templates). The file is validated
strictly; every error names the file and line (`site-codes.yaml:7: valueSets.hipec[0].system: ...`) and stops
start-up. Each added code records where it came from: `verified_in="site mapping site-codes.yaml:7"`.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from cds_service.errors import ConfigError
from cds_service.protocol.parse import field_path
from fhir_mappings.terminology import BUILT_IN, Terminology
from fhir_mappings.valuesets import VALUE_SETS
from fhir_mappings.valuesets.model import Code

if TYPE_CHECKING:
    from cds_service.yaml_lines import Loc

MAX_REPORTED_ERRORS = 20
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_FHIR_CODE = re.compile(r"[^\s]+( [^\s]+)*")
"""FHIR `code`: no leading or trailing whitespace, single spaces inside."""


def _absolute_uri(value: str) -> str:
    """An absolute URI as FHIR Coding.system wants it: a scheme, no whitespace, no fragment; http(s) with a
    host; urn:oid: and urn:uuid: well formed. Kept exactly as written (never normalised)."""
    scheme, colon, rest = value.partition(":")
    if not colon or not rest or not _SCHEME.fullmatch(scheme):
        raise ValueError(f"{value!r} is not an absolute URI (e.g. http://acme.example/lab or urn:oid:1.2.3)")
    if any(ch.isspace() for ch in value) or "#" in value:
        raise ValueError(f"{value!r} is not an absolute URI: no whitespace or fragment (#) allowed")
    scheme = scheme.lower()
    if scheme in ("http", "https") and not urlsplit(value).hostname:
        raise ValueError(f"{value!r} has no host")
    if scheme == "urn":
        kind, _, ident = rest.partition(":")
        if kind.lower() == "oid" and not _OID.fullmatch(ident):
            raise ValueError(f"{value!r} is not a valid urn:oid: (digits separated by dots)")
        if kind.lower() == "uuid" and not _UUID.fullmatch(ident):
            raise ValueError(f"{value!r} is not a valid urn:uuid: (lower-case 8-4-4-4-12 hex)")
    return value


def _fhir_code(value: str) -> str:
    if not _FHIR_CODE.fullmatch(value):
        raise ValueError(f"{value!r} is not a code: it must be non-empty, without whitespace at its ends")
    return value


# defer_build: the validators are built when a site-codes file is read, not at every start-up.
class SiteCode(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    system: Annotated[str, AfterValidator(_absolute_uri)]
    code: Annotated[str, AfterValidator(_fhir_code)]
    display: Annotated[str, Field(min_length=1)] | None = None


class SiteCodesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    valueSets: dict[str, Annotated[list[SiteCode], Field(min_length=1)]]


def _describe(error: ErrorDetails) -> str:
    loc, kind = error["loc"], error["type"]
    if kind == "extra_forbidden":
        allowed = "valueSets" if len(loc) == 1 else "system, code, display"
        return f"unknown key {loc[-1]!r} (allowed: {allowed})"
    if kind == "missing":
        return f"{loc[-1]!r} is required"
    if kind == "string_type":
        return "must be a string (quote it: YAML reads 0123, 1.10 or 2024-01-01 as other types)"
    if kind == "too_short" and isinstance(loc[-1], str) and len(loc) == 2:
        return "lists no codes"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _path(loc: Loc) -> str:
    return field_path(loc) if loc else "(top level)"


def _nearest(set_id: str) -> str:
    return ", ".join(difflib.get_close_matches(set_id, list(VALUE_SETS), n=3, cutoff=0.0))


def read_site_codes(path: Path) -> dict[str, list[Code]]:
    """The codes the file adds, by value-set id; ConfigError names the file, line and what is wrong."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ConfigError(f"{path}: a site-codes file must be .json, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    from cds_service.yaml_lines import parse_json, parse_yaml  # PyYAML: only when a file is read

    data, lines = (parse_json if suffix == ".json" else parse_yaml)(text, str(path))

    problems: list[tuple[int, str]] = []
    parsed: SiteCodesFile | None = None
    if data is None:
        problems.append((1, "the file is empty: expected a 'valueSets' mapping"))
    else:
        try:
            parsed = SiteCodesFile.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                problems.append((lines.of(error["loc"]) or 1, f"{_path(error['loc'])}: {_describe(error)}"))
    named = data.get("valueSets") if isinstance(data, dict) else None
    for set_id in named if isinstance(named, dict) else ():
        if isinstance(set_id, str) and set_id not in VALUE_SETS:
            line = lines.of(("valueSets", set_id)) or 1
            problems.append((line, f"valueSets: unknown value set {set_id!r} (nearest: {_nearest(set_id)})"))
    if parsed is not None:
        for set_id, codes in parsed.valueSets.items():
            first: dict[tuple[str, str], int] = {}
            for i, site_code in enumerate(codes):
                line = lines.of(("valueSets", set_id, i)) or 1
                pair = (site_code.system, site_code.code)
                if pair in first:
                    problems.append(
                        (line, f"valueSets.{set_id}[{i}]: {pair[0]}|{pair[1]} repeats line {first[pair]}")
                    )
                first.setdefault(pair, line)
    if problems:
        problems.sort(key=lambda p: p[0])
        shown = [f"{path}:{line}: {message}" for line, message in problems[:MAX_REPORTED_ERRORS]]
        if len(problems) > MAX_REPORTED_ERRORS:
            shown.append(f"{path}: … and {len(problems) - MAX_REPORTED_ERRORS} more")
        raise ConfigError("\n".join(shown))

    assert parsed is not None
    return {
        set_id: [
            Code(
                c.system,
                c.code,
                c.display or "",
                f"site mapping {path.name}:{lines.of(('valueSets', set_id, i)) or 1}",
            )
            for i, c in enumerate(codes)
        ]
        for set_id, codes in parsed.valueSets.items()
    }


def load_site_codes(path: Path) -> Terminology:
    """The built-in value sets plus the file's codes; ConfigError (file:line) when the file is unusable."""
    return Terminology(read_site_codes(path))


def site_terminology(site_codes: Path | None) -> Terminology:
    """The terminology in force: the built-in sets, plus the site's file when one is named."""
    return BUILT_IN if site_codes is None else load_site_codes(site_codes)

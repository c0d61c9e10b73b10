"""The public sources the terminology build reads, and how a code is confirmed in each.

Sources are declared in `selections/sources.yaml`. Registry-served sources (the ICD-10-CM XML on PyPI, HL7 FHIR
packages on npm) are read here, so the build confirms every code it takes from them; cited sources are files that
no registry serves, recorded by repository, commit, path and line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

SYSTEMS: dict[str, str] = {
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "sct": "http://snomed.info/sct",
    "loinc": "http://loinc.org",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "ndc": "http://hl7.org/fhir/sid/ndc",
    "hgnc": "http://www.genenames.org",
    "v3-route": "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
    "local": "http://peritoneal-cds.org/CodeSystem/pm-concepts",
}
"""The short names selections use for code systems, and their FHIR URIs."""


class SourceError(ValueError):
    """A selection names a code that its source does not confirm, or a source cannot be read."""


@dataclass(frozen=True)
class Found:
    display: str | None
    at: str
    """Where in the source: a line number, or a JSON path."""


def cache_dir() -> Path:
    """Where fetched packages are kept between builds (outside the repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peritoneal-cds" / "terminology"


@dataclass
class Source:
    key: str
    kind: str
    label: str
    spec: dict[str, Any]
    _index: dict[tuple[str, str], Found] | None = field(default=None, repr=False)

    def citation(self, at: str) -> str:
        where = self.spec.get("path", "*")
        return f"{self.label}: {at}" if where == "*" else f"{self.label} {where}:{at}"

    def find(self, system: str, code: str) -> Found | None:
        """The code as this source states it, or None (cited sources confirm nothing by themselves)."""
        if self.kind == "cited" or self.kind == "local":
            return None
        if self._index is None:
            self._index = self._read()
        return self._index.get((system, code))

    def _read(self) -> dict[tuple[str, str], Found]:
        if self.kind == "icd10cm":
            return icd_xml().index
        if self.kind == "npm":
            out: dict[tuple[str, str], Found] = {}
            for name, content in npm_files(self.spec):
                prefix = "" if name == self.spec["path"] else f"{name.removeprefix('package/')} "
                for key, found in _json_codes(json.loads(content)).items():
                    out.setdefault(key, Found(found.display, prefix + found.at))
            return out
        raise SourceError(f"source {self.key}: unknown kind {self.kind!r}")


def load_sources(declared: dict[str, dict[str, Any]]) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for key, spec in declared.items():
        kind = spec.get("kind")
        if kind == "npm":
            label = f"{spec['package']}@{spec['version']}"
        elif kind == "cited":
            label = f"{spec['repo']}@{str(spec['commit'])[:12]}" if "repo" in spec else str(spec["title"])
        elif kind == "icd10cm" or kind == "local":
            label = str(spec["title"])
        else:
            raise SourceError(f"source {key}: unknown kind {kind!r}")
        out[key] = Source(key, str(kind), label, spec)
    return out


class IcdXml:
    """The CMS ICD-10-CM tabular XML: each code's description and the line of its `<name>`."""

    def __init__(self, text: str) -> None:
        self.index: dict[tuple[str, str], Found] = {}
        self.categories: list[str] = []
        name: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            match = re.search(r"<name>([^<]+)</name>", line)
            if match:
                name = match.group(1).strip()
                self.index[(SYSTEMS["icd10cm"], name)] = Found(None, str(number))
                if len(name) == 3:
                    self.categories.append(name)
                continue
            desc = re.search(r"<desc>([^<]+)</desc>", line)
            if desc and name is not None:
                key = (SYSTEMS["icd10cm"], name)
                self.index[key] = Found(_unescape(desc.group(1)), self.index[key].at)
                name = None

    def category_range(self, first: str, last: str, skip: list[str]) -> list[str]:
        """The 3-character categories from `first` to `last` in the tabular's own order (C4A follows C43)."""
        try:
            span = self.categories[self.categories.index(first) : self.categories.index(last) + 1]
        except ValueError as exc:
            raise SourceError(f"ICD-10-CM range {first}-{last}: {exc}") from exc
        return [c for c in span if c not in skip]


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")


ICD_XML = "icd10c-tabular-April-1-2026.xml"


@cache
def icd_xml() -> IcdXml:
    """The tabular XML of the installed simple-icd-10-cm, found through its distribution's file list (importing
    the package would parse the XML a second time)."""
    try:
        files = metadata.files("simple-icd-10-cm") or []
    except metadata.PackageNotFoundError as exc:
        raise SourceError("simple-icd-10-cm is not installed (pip install -e '.[dev]')") from exc
    xml = next((f for f in files if f.name == ICD_XML), None)
    if xml is None:
        raise SourceError(f"simple-icd-10-cm ships no {ICD_XML}")
    return IcdXml(Path(str(xml.locate())).read_text(encoding="utf-8"))


def npm_files(spec: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """The file `path` of an npm package, or with path "*" its every JSON file (by name), fetched once with
    `npm pack` into the cache and checked against the pinned integrity."""
    tarball = cache_dir() / f"{spec['package']}-{spec['version']}.tgz"
    if not tarball.exists():
        tarball.parent.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [
                    "npm",
                    "pack",
                    "--silent",
                    "--pack-destination",
                    str(tarball.parent),
                    f"{spec['package']}@{spec['version']}",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SourceError(f"cannot fetch npm package {spec['package']}@{spec['version']}: {exc}") from exc
    algorithm, _, expected = str(spec["integrity"]).partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise SourceError(f"{tarball.name}: integrity {algorithm}-{actual} is not the pinned one")
    with tarfile.open(tarball) as archive:
        wanted = str(spec["path"])
        names = sorted(
            m.name
            for m in archive.getmembers()
            if m.isfile() and (m.name == wanted or (wanted == "*" and m.name.endswith(".json")))
        )
        if not names:
            raise SourceError(f"{tarball.name} has no file {wanted}")
        for name in names:
            member = archive.extractfile(name)
            if member is not None:
                yield name, member.read()


def _json_codes(document: Any) -> dict[tuple[str, str], Found]:
    """Every (system, code) a FHIR JSON resource states (concept lists, codings, nested CodeSystem concepts),
    with its display and JSON path; the first occurrence wins."""
    out: dict[tuple[str, str], Found] = {}
    for path, node, system in _walk(document, "", None):
        code = node.get("code")
        if isinstance(code, str) and system:
            out.setdefault((system, code), Found(node.get("display"), path))
    return out


def _walk(node: Any, path: str, system: str | None) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    if isinstance(node, dict):
        system = node.get("system") if isinstance(node.get("system"), str) else system
        if node.get("resourceType") == "CodeSystem":
            system = node.get("url")
        yield path or "$", node, system
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else key, system)
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from _walk(item, f"{path}[{number}]", system)

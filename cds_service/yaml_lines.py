"""A YAML (or JSON) document with the line of every key and item, so that errors in a config file name their
line. Apart from `cds_service.site_codes` so that PyYAML is imported only when a file is read."""

from __future__ import annotations

import json
from typing import Any

import yaml

from cds_service.errors import ConfigError

Loc = tuple[str | int, ...]


class Lines:
    """The line (1-based) of every key and item of the document, by its path (as pydantic reports it)."""

    def __init__(self, lines: dict[Loc, int] | None = None) -> None:
        self.by_loc: dict[Loc, int] = lines or {}

    def of(self, loc: Loc) -> int | None:
        """The line of `loc`, else of its nearest enclosing key or item that has one."""
        for end in range(len(loc), -1, -1):
            line = self.by_loc.get(loc[:end])
            if line is not None:
                return line
        return None


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(f"key {key!r} appears twice (first on line {first})")
        self.line = line


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # not a string key: the schema rejects it (at the mapping's line)
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(key, line, seen[key])
            seen[key] = line
            lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), lines)


def _compose(text: str) -> tuple[Any, Lines]:
    """The document and its lines; yaml.YAMLError or _DuplicateKey when it is not a usable YAML document."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, Lines(lines)


def parse_yaml(text: str, where: str) -> tuple[Any, Lines]:
    try:
        return _compose(text)
    except _DuplicateKey as exc:
        raise ConfigError(f"{where}:{exc.line}: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"{mark.line + 1}" if mark is not None else "1"
        column = f" (column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"{where}:{at}: not valid YAML: {exc.problem or exc.context}{column}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}:1: not valid YAML: {exc}") from exc


def parse_json(text: str, where: str) -> tuple[Any, Lines]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
    # Valid JSON is YAML too: its node marks give the line of every key and item. A literal tab in valid JSON
    # is whitespace between tokens (a string's tabs are escaped), which YAML does not accept as such.
    try:
        _, lines = _compose(text.replace("\t", " "))
    except _DuplicateKey as exc:
        raise ConfigError(f"{where}:{exc.line}: {exc}") from exc
    except yaml.YAMLError:
        lines = Lines()  # a JSON corner YAML reads differently: errors then name the path, at line 1
    return data, lines

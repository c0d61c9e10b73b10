"""A YAML (or JSON) config document with the line of every key and item, so that errors in a config file name
their line. ruamel.yaml reads the document, with the line of every node, and refuses a key given twice. Apart from
`cds_service.site_codes` so that ruamel.yaml is imported only when a file is read."""

from __future__ import annotations

import json
from typing import Any

from ruamel.yaml import YAML, MappingNode, ScalarNode
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

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


def _plain(value: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    """The document as plain Python data (dict, list, str, int…: what the strict schema expects), recording
    the line of every key and item on the way."""
    if isinstance(value, CommentedMap):
        lines.setdefault(loc, value.lc.line + 1)
        out: dict[Any, Any] = {}
        for key, item in value.items():
            lines[(*loc, key)] = value.lc.key(key)[0] + 1
            out[key] = _plain(item, (*loc, key), lines)
        return out
    if isinstance(value, CommentedSeq):
        lines.setdefault(loc, value.lc.line + 1)
        items = []
        for i, item in enumerate(value):
            lines[(*loc, i)] = value.lc.item(i)[0] + 1
            items.append(_plain(item, (*loc, i), lines))
        return items
    if isinstance(value, str):
        return str(value)  # block and quoted scalars come as subclasses of str
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _first_line_of(text: str, error: DuplicateKeyError) -> int | None:
    """The line where the mapping of a duplicate key first gives it (ruamel names only the repeat)."""
    repeat = error.problem_mark
    node = YAML(typ="rt").compose(text)
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, MappingNode):
            keys = [k for k, _ in current.value]
            repeated = next((k for k in keys if k.start_mark.index == repeat.index), None)
            if isinstance(repeated, ScalarNode):
                first = next(k for k in keys if isinstance(k, ScalarNode) and k.value == repeated.value)
                return int(first.start_mark.line) + 1
            pending += [v for _, v in current.value]
        elif isinstance(current, list):
            pending += current
        elif current is not None and isinstance(getattr(current, "value", None), list):
            pending += current.value
    return None


def _compose(text: str, where: str) -> tuple[Any, Lines]:
    """The document and its lines; ConfigError (file:line) for a duplicate key; YAMLError when the text is not
    a YAML document."""
    try:
        document = YAML(typ="rt").load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1
        key = exc.problem.split('"')[1] if exc.problem and exc.problem.count('"') >= 2 else "?"
        first = _first_line_of(text, exc)
        since = f" (first on line {first})" if first is not None else ""
        raise ConfigError(f"{where}:{line}: key {key!r} appears twice{since}") from exc
    lines: dict[Loc, int] = {}
    return _plain(document, (), lines), Lines(lines)


def parse_yaml(text: str, where: str) -> tuple[Any, Lines]:
    try:
        return _compose(text, where)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"{mark.line + 1}" if mark is not None else "1"
        column = f" (column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"{where}:{at}: not valid YAML: {exc.problem or exc.context}{column}") from exc
    except YAMLError as exc:
        raise ConfigError(f"{where}:1: not valid YAML: {exc}") from exc


def parse_json(text: str, where: str) -> tuple[Any, Lines]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
    # Valid JSON is YAML too: its nodes give the line of every key and item. A literal tab in valid JSON is
    # whitespace between tokens (a string's tabs are escaped), which YAML does not accept as such.
    try:
        _, lines = _compose(text.replace("\t", " "), where)
    except YAMLError:
        lines = Lines()  # a JSON corner YAML reads differently: errors then name the path, at line 1
    return data, lines

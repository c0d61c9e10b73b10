"""README.md's hand-readable tables that derive from the code are the code's rendering, not a copy kept by hand."""

from __future__ import annotations

import pytest

from hooks.services import SERVICES
from tests.readme_tables import END, README, START, services_table, with_services_table


def test_the_readme_services_table_is_the_rendering_of_the_services() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_services_table(text) == text, (
        "README.md is stale: run .venv/bin/python -m tests.readme_tables"
    )


def test_the_services_table_names_every_rule_of_every_service() -> None:
    table = services_table()
    assert table.count("\n| `") == len(SERVICES)
    for service in SERVICES:
        row = next(line for line in table.splitlines() if f"`{service.id}`" in line)
        if "the same rules" not in row:
            assert all(rule.id in row for rule in service.rules), service.id


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        with_services_table("# no table here\n")
    assert with_services_table(f"a\n{START}\nold\n{END}\nb\n", "T") == f"a\n{START}\n\nT\n\n{END}\nb\n"

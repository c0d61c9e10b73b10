"""README.md's table of services and their rule ids, rendered from hooks.services.SERVICES so that it is never
kept by hand: `python -m tests.readme_tables` rewrites the block between the markers, and tests/test_readme.py
fails when the README differs from the rendering."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from hooks.services import SERVICES, ServiceDeclaration

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- services-table:start -->"
END = "<!-- services-table:end -->"
SCOPE = {
    "order-select": "on the `selections`; the other drafts are context",
    "order-sign": "on every draft order",
}
"""What a hook's rules look at, where the hook alone does not say it."""


def rule_groups(service: ServiceDeclaration) -> str:
    """The service's rule ids in discovery order, one group per rule module, groups separated by '; '."""
    groups = groupby(service.rules, key=lambda r: r.evaluate.__module__)
    return "; ".join(", ".join(r.id for r in rules) for _, rules in groups)


def services_table(services: tuple[ServiceDeclaration, ...] = SERVICES) -> str:
    rows = ["| id | hook | rules |", "|---|---|---|"]
    seen: list[tuple[str, ...]] = []
    for service in services:
        ids = tuple(r.id for r in service.rules)
        scope = SCOPE.get(service.hook)
        if ids in seen:
            rules = "the same rules" + (f", {scope}" if scope else "")
        else:
            rules = rule_groups(service) + (f" ({scope})" if scope else "")
        seen.append(ids)
        rows.append(f"| `{service.id}` | {service.hook} | {rules} |")
    return "\n".join(rows)


def with_services_table(readme: str, table: str | None = None) -> str:
    """`readme` with the block between the markers replaced by the table (a blank line each side)."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START} … {END}")
    return f"{head}{START}\n\n{services_table() if table is None else table}\n\n{END}{tail}"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    updated = with_services_table(text)
    if updated == text:
        print("README.md: services table up to date")
    else:
        README.write_text(updated, encoding="utf-8")
        print("README.md: services table rewritten")


if __name__ == "__main__":
    main()

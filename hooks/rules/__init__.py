"""Every guideline rule of the service, one module per clinical topic.

Rules register themselves: every `@rule` declared in a module of this package is found here, so adding a rule
is adding it to its topic module (or a new module). Modules are read in name order and rules in the order they
are declared; cards of one indicator keep that order.
"""

from __future__ import annotations

import importlib
import pkgutil

from cds_service.engine.types import Rule


def _discover() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, Rule) and value.evaluate.__module__ == module.__name__
        ]
    return tuple(found)


ALL_RULES: tuple[Rule, ...] = _discover()

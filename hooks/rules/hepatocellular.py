"""(being written)"""

from __future__ import annotations

from cds_service.engine.types import Rule

RULES: tuple[Rule, ...] = ()

"""Injectable time and identity: rules get `now` from a clock, cards get uuids from a factory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
UuidFactory = Callable[[], str]


def system_clock() -> datetime:
    return datetime.now(UTC)


def random_uuid() -> str:
    return str(uuid.uuid4())

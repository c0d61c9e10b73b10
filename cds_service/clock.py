"""Injectable time and identity: rules get `now` from a clock, cards get uuids from a factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from uuid_utils import uuid7

Clock = Callable[[], datetime]
UuidFactory = Callable[[], str]


def system_clock() -> datetime:
    return datetime.now(UTC)


def time_ordered_uuid() -> str:
    """A UUID version 7 (RFC 9562 §5.7): the Unix time in milliseconds, then a counter and random bits that keep
    the uuids of one millisecond apart and in order (uuid-utils).

    Every card the service returns is recorded under its uuid (the card log, for the feedback report). A random
    uuid4 key lands on a random page of that index, so each recorded card would rewrite a page of its own; keys
    that grow with time are appended instead. The time they give away is when the card was made."""
    return str(uuid7())

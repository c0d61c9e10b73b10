"""How many hook calls a worker evaluates at once.

Parsing a body and running the rules are CPU-bound under one interpreter lock: evaluating more calls at once
answers none of them sooner, it only holds more parsed bodies in memory (a 4.5 MB prefetch is about 25 MB of
Python objects). A call waiting on its FHIR server gives its slot back meanwhile, so fetch mode keeps its
concurrency.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class HookSlots:
    def __init__(self, size: int) -> None:
        self._semaphore = threading.BoundedSemaphore(size)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Evaluate inside: waits for a free slot."""
        self._semaphore.acquire()
        try:
            yield
        finally:
            self._semaphore.release()

    @contextmanager
    def held_if_free(self) -> Iterator[bool]:
        """A slot if one is free now, without waiting (True inside when taken): for a call evaluated on the event
        loop, which must never block; a call that finds none goes to a thread and waits there."""
        taken = self._semaphore.acquire(blocking=False)
        try:
            yield taken
        finally:
            if taken:
                self._semaphore.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Inside `held`: give the slot back while waiting on I/O, and take one again after."""
        self._semaphore.release()
        try:
            yield
        finally:
            self._semaphore.acquire()

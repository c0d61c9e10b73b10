"""How many large hook calls a worker holds in memory at once: the others wait on the event loop, body unread.

A large call (a 4.5 MB prefetch is about 25 MB of Python objects once parsed) is evaluated in a worker thread,
one at a time (cds_service.slots). Had every such call read its body and then waited for the slot in a thread,
eight clients would leave eight raw bodies in memory and start eight threads while a parsed body filled the
heap; those threads' objects outlive the call and keep the interpreter's 1 MiB memory arenas that the parsed
body occupied from going back to the system (an arena is returned only once every object in it is freed).
Waiting here instead, before the body is read, leaves the unread bodies in the sockets (the server stops reading
them: TCP flow control), starts no thread, and a caller that gives up meanwhile costs nothing.

There is no read-ahead: the next body is read once the call before it is evaluated, which on a local network is
a few milliseconds of a call's hundred. A client that uploads slowly holds its admission meanwhile, as does a large
call waiting on its FHIR server, and the other large calls wait for it; small calls are never held here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LargeCalls:
    """The admission of large hook calls, for the event loop of one worker process."""

    def __init__(self, evaluation_slots: int) -> None:
        self._semaphore = asyncio.Semaphore(evaluation_slots)

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Read, parse and evaluate inside: waits, first come first served, while `evaluation_slots` calls are
        inside."""
        async with self._semaphore:
            yield

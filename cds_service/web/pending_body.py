"""A hook call's raw body on its way to the JSON parser, held once.

The raw bytes are useless once parsed, but the coroutine, the thread pool and the evaluation each hold the
arguments they were given until the call ends: a 4.5 MB body would stay in memory beside its 25 MB of parsed
objects for the whole evaluation. Whoever parses it takes it out of this holder, so the bytes are freed as soon
as the parser returns; the size stays known (it decides where the call runs and whether the heap is trimmed).
"""

from __future__ import annotations


class PendingBody:
    def __init__(self, data: bytearray) -> None:
        self.size = len(data)
        self._data: bytearray | None = data

    def take(self) -> bytearray:
        """The bytes, once: the holder lets go of them."""
        data, self._data = self._data, None
        if data is None:
            raise RuntimeError("the request body was already handed to the parser")
        return data

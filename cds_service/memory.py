"""Give the heap pages a large hook call freed back to the operating system.

glibc keeps freed heap memory for reuse, so after a multi-megabyte prefetch is parsed (a 4.5 MB body is about
25 MB of Python objects) and dropped, a worker's resident memory stays at its peak. `malloc_trim` returns the
free pages; it walks the heap (a few milliseconds), so it runs only after large bodies, once the answer is sent.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

TRIM_AFTER_BYTES = 1024 * 1024
"""Bodies at least this large are followed by a trim."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's malloc_trim, looked up at the first trim rather than at start-up (ctypes is ~3 ms of
    import). The symbols the interpreter itself links (CDLL(None)) include the C library's: finding it by name
    (ctypes.util.find_library) ran `ldconfig -p` in a subprocess, 4-7 ms more."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


def release_free_memory() -> None:
    """Return free heap pages to the OS where the C library can (glibc); elsewhere nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

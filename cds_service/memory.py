"""Give the heap pages a large hook call freed back to the operating system.

glibc keeps freed heap memory for reuse, so after a multi-megabyte prefetch is parsed (a 4.5 MB body is about
25 MB of Python objects) and dropped, a worker's resident memory stays at its peak. `malloc_trim` returns the
free pages; it walks the heap (a few milliseconds), so it runs only after large bodies, once the answer is sent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

TRIM_AFTER_BYTES = 1024 * 1024
"""Bodies at least this large are followed by a trim."""


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Return free heap pages to the OS where the C library can (glibc); elsewhere nothing."""
    if _TRIM is not None:
        _TRIM(0)

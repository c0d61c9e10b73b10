"""The garbage collector's settings for a process that serves hook calls.

A hook call allocates a parsed JSON tree (a 500 KB prefetch is about 50,000 containers) that reference counting
frees when the call ends. At the default gen-0 threshold (700) the collector would walk that tree, and everything
promoted with it, hundreds of times a call. Kept apart from the app so that the benchmark's floor app can run
with the same settings without importing the service.
"""

from __future__ import annotations

import gc

GC_GEN0_THRESHOLD = 50_000
"""Allocations between gen-0 collections; reference cycles are rare on the request path."""


def raise_gen0_threshold() -> None:
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])


def freeze_start_up() -> None:
    """Collect once, then move what start-up built (modules, models, value sets) out of the collector's reach, so
    that no later collection walks it again."""
    gc.collect()
    gc.freeze()

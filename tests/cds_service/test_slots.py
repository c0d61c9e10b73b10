"""Memory per worker: how many hook calls a worker evaluates at once (a slot is given back during I/O), and
freed heap memory returned after a large call."""

from __future__ import annotations

import copy
import platform
import threading
from pathlib import Path

import pytest

from cds_service import serving
from cds_service.serving import TRIM_AFTER_BYTES, HookSlots, _malloc_trim, release_free_memory
from tests.conftest import FIXTURES, load_json, make_client, suite_settings

PATIENT_VIEW = "/cds-services/peritoneal-metastasis-patient-view"


def test_a_second_call_waits_for_the_only_slot() -> None:
    slots = HookSlots(1)
    inside = threading.Event()
    entered_second = threading.Event()
    leave = threading.Event()

    def first() -> None:
        with slots.held():
            inside.set()
            leave.wait(5)

    def second() -> None:
        with slots.held():
            entered_second.set()

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    assert inside.wait(5)
    b.start()
    assert not entered_second.wait(0.2)  # the slot is taken
    leave.set()
    assert entered_second.wait(5)
    a.join()
    b.join()


def test_a_call_waiting_on_io_lets_another_evaluate() -> None:
    slots = HookSlots(1)
    waiting = threading.Event()
    other_done = threading.Event()

    def fetching() -> None:
        with slots.held(), slots.released():
            waiting.set()
            other_done.wait(5)

    thread = threading.Thread(target=fetching)
    thread.start()
    assert waiting.wait(5)
    with slots.held():  # free although the fetching call is still inside `held`
        other_done.set()
    thread.join()


def test_a_large_hook_call_gives_freed_memory_back_after_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision checked: a body of at least TRIM_AFTER_BYTES is followed by a heap trim, a small one is not."""
    trims: list[int] = []
    monkeypatch.setattr(serving, "release_free_memory", lambda: trims.append(1))
    request = load_json(FIXTURES / "examples" / "patient-view-ovarian-peritoneal-metastasis.json")
    with make_client(suite_settings(tmp_path)) as client:
        assert client.post(PATIENT_VIEW, json=request).status_code == 200
        assert trims == []
        padded = copy.deepcopy(request)
        padded["prefetch"]["patient"]["text"] = {"status": "generated", "div": "x" * TRIM_AFTER_BYTES}
        assert client.post(PATIENT_VIEW, json=padded).status_code == 200
    assert trims == [1]


def test_trimming_the_heap_is_safe_to_call_here() -> None:
    release_free_memory()  # glibc: returns free pages; elsewhere: does nothing
    if platform.libc_ver()[0] == "glibc":
        assert _malloc_trim() is not None  # found among the symbols the interpreter links


def test_a_free_slot_is_taken_without_waiting_and_a_taken_one_is_not_waited_for() -> None:
    slots = HookSlots(1)
    with slots.held_if_free() as first:
        assert first
        with slots.held_if_free() as second:
            assert not second  # taken: the caller goes elsewhere instead of blocking
    with slots.held_if_free() as again:
        assert again  # given back on leaving

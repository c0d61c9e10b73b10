"""Evaluation slots: how many hook calls a worker evaluates at once, and giving a slot back during I/O."""

from __future__ import annotations

import threading

from cds_service.slots import HookSlots


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

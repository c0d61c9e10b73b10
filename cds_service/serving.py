"""How a hook call is served, in one place: admission of large bodies, evaluation slots, event loop or thread
pool, heap trimming, and the laps of the benchmark's stage profile. `Serving.serve_hook` is the one door the
hook route goes through (`Serving.serve_body` the feedback route's: the same admission and slots); the stages
themselves (cds_service.pipeline) know nothing of any of this.

Why each part exists:

- Evaluation slots. Parsing a body and running the rules are CPU-bound under one interpreter lock: evaluating
  more calls at once answers none of them sooner, it only holds more parsed bodies in memory (a 4.5 MB prefetch
  is about 25 MB of Python objects). A call that names a FHIR server gives its slot back while its prefetch is
  resolved (it may wait on that server), so fetch mode keeps its concurrency.
- Admission. A large call waits on the event loop, its body unread, until it may be evaluated. Had every such
  call read its body and then waited for a slot in a thread, eight clients would leave eight raw bodies in
  memory and start eight threads while a parsed body filled the heap; those threads' objects outlive the call
  and keep the interpreter's 1 MiB memory arenas that the parsed body occupied from going back to the system
  (an arena is returned only once every object in it is freed). Waiting before the body is read leaves the
  unread bodies in the sockets (the server stops reading them: TCP flow control), starts no thread, and a
  caller that gives up meanwhile costs nothing. There is no read-ahead: the next body is read once the call
  before it is evaluated. A client that uploads slowly holds its admission meanwhile, as does a large call
  waiting on its FHIR server; small calls are never held there.
- Event loop or thread pool. A small call that fetches nothing is evaluated on the event loop: pure CPU, which
  a worker thread would spend the same way (one slot, one interpreter lock) after a hop that costs more than a
  small call's own work; on the loop, calls are also answered in the order they came. Larger bodies and calls
  that may fetch run in the thread pool, so that the loop keeps serving other connections meanwhile.
- The raw body is held once (`PendingBody`) and let go of as soon as it is parsed.
- Heap trimming. glibc keeps freed heap memory for reuse, so after a multi-megabyte prefetch is parsed and
  dropped, a worker's resident memory would stay at its peak; `malloc_trim` returns the free pages. It walks the
  heap, so it runs only after large bodies, once the answer is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Any, Protocol, TypeVar

import orjson
from fastapi import Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from cds_service import pipeline
from cds_service.auth.caller import Caller
from cds_service.errors import ClientClosedRequest, PayloadTooLarge, RequestTimeout
from cds_service.pipeline import HookResult, Runtime
from cds_service.protocol.models import HookRequest
from cds_service.protocol.parse import ParsedRequest, parse_hook_body, parse_json_body
from hooks.services import ServiceDeclaration

INLINE_MAX_BYTES = 1024 * 1024
"""Hook bodies up to this size are evaluated on the event loop when the call fetches nothing from a FHIR server;
a body declared larger, or not declared, is read only once the call is admitted."""
TRIM_AFTER_BYTES = 1024 * 1024
"""Bodies at least this large are followed by a heap trim."""

V = TypeVar("V")
"""What `Serving.serve_body` validates a body into."""

Lap = Callable[[str], None]
"""Told the name of each stage of a hook call as it ends (`pipeline.STAGES`): the benchmark's stage profile
(`bench/stages.py`) times the very code that serves calls, not a copy of it."""


def _no_lap(stage: str) -> None:
    """Serving calls: nothing listens."""


class HookSlots:
    """How many hook calls a worker evaluates at once."""

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


class PendingBody:
    """A hook call's raw body on its way to the JSON parser, held once: the coroutine, the thread pool and the
    evaluation each hold the arguments they were given until the call ends, so whoever parses the body takes
    it out of this holder, and the bytes are freed as soon as the parser returns. The size stays known (it
    decides where the call runs and whether the heap is trimmed)."""

    def __init__(self, data: bytearray) -> None:
        self.size = len(data)
        self._data: bytearray | None = data

    def take(self) -> bytearray:
        """The bytes, once: the holder lets go of them."""
        data, self._data = self._data, None
        if data is None:
            raise RuntimeError("the request body was already handed to the parser")
        return data


async def read_body(request: Request, limit: int, timeout: float) -> bytearray:
    """The request body, refused with 413 past `limit` bytes (declared or streamed) and with 408 when it takes
    longer than `timeout` seconds to arrive. Gathered in one buffer: a list of chunks joined at the end would hold
    a large body twice, and leave a body's worth of freed chunks in the heap until the next trim."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                if len(body) + len(chunk) > limit:
                    raise PayloadTooLarge(f"the body is larger than {limit} bytes")
                body += chunk
    except TimeoutError as exc:
        raise RequestTimeout(f"the request body did not arrive within {timeout:g} s") from exc
    except ClientDisconnect as exc:
        raise ClientClosedRequest("the client closed the connection before its body was read") from exc
    return body


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's malloc_trim, looked up at the first trim rather than at start-up (ctypes is imported
    only then). The symbols the interpreter itself links (CDLL(None)) include the C library's, which spares the
    subprocess that finding it by name (ctypes.util.find_library) would run."""
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


class CallRecorder(Protocol):
    """What the web layer notes of a hook call (the audit line, the metrics, the card log)."""

    def validated(self, request: HookRequest) -> None:
        """The request passed validation (its hookInstance is known)."""

    def answered(self, result: HookResult) -> None:
        """The call's cards, with their rule ids."""


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


class Serving:
    """How one worker process serves hook calls; built once by the app factory."""

    def __init__(self, runtime: Runtime, evaluation_slots: int) -> None:
        self.runtime = runtime
        self.slots = HookSlots(evaluation_slots)
        self.large_calls = LargeCalls(evaluation_slots)

    async def serve_hook(
        self,
        service: ServiceDeclaration,
        request: Request,
        base_url: str,
        caller: Caller | None,
        recorder: CallRecorder,
    ) -> Response:
        """The response to one hook call, its body read from `request` (small: at once; large: once admitted)."""
        async with self.admitted_body(request) as body:
            content_type = request.headers.get("content-type")
            return await self._answer(service, body, content_type, base_url, caller, recorder)

    @asynccontextmanager
    async def admitted_body(self, request: Request) -> AsyncIterator[PendingBody]:
        """The body of a request, read at once when declared small; a large one stays unread (in the socket) until
        the call is admitted, and the admission is held inside."""
        declared = request.headers.get("content-length", "")
        small = declared.isdigit() and int(declared) <= INLINE_MAX_BYTES
        async with contextlib.nullcontext() if small else self.large_calls.admitted():
            settings = self.runtime.settings
            yield PendingBody(
                await read_body(request, settings.max_body_bytes, settings.body_timeout_seconds)
            )

    async def serve_body(
        self, request: Request, validate: Callable[[Any], V], respond: Callable[[V], Response]
    ) -> Response:
        """A POST other than a hook call (feedback), admitted as a hook call is: a large body held in the socket
        until admitted, then parsed and validated in the thread pool in an evaluation slot, so that a
        multi-megabyte feedback body never sits in memory beside the bodies being evaluated. `respond` runs once
        the slot is given back: it may wait on the database."""
        async with self.admitted_body(request) as body:
            content_type = request.headers.get("content-type")
            return await run_in_threadpool(self._validate_in_slot, body, content_type, validate, respond)

    def _validate_in_slot(
        self,
        body: PendingBody,
        content_type: str | None,
        validate: Callable[[Any], V],
        respond: Callable[[V], Response],
    ) -> Response:
        with self.slots.held():
            valid = validate(parse_json_body(body.take(), content_type))
        response = respond(valid)
        if body.size >= TRIM_AFTER_BYTES:  # once the answer is sent and the parsed body is gone
            response.background = BackgroundTask(release_free_memory)
        return response

    async def _answer(
        self,
        service: ServiceDeclaration,
        body: PendingBody,
        content_type: str | None,
        base_url: str,
        caller: Caller | None,
        recorder: CallRecorder,
    ) -> Response:
        """Evaluated on the loop when small, prefetched and the slot is free; else in a worker thread."""
        call: ParsedRequest | None = None  # validated here, handed on: a call that may fetch is parsed once
        if body.size <= INLINE_MAX_BYTES:
            with self.slots.held_if_free() as free:
                if free:
                    call = self._envelope(service, body, content_type, recorder)
                    if not pipeline.may_fetch(call):
                        return self._respond(service, call, body, base_url, caller, recorder)
        return await run_in_threadpool(
            self._evaluate_in_slot, service, body, call, content_type, base_url, caller, recorder
        )

    def _evaluate_in_slot(
        self,
        service: ServiceDeclaration,
        body: PendingBody,
        call: ParsedRequest | None,
        content_type: str | None,
        base_url: str,
        caller: Caller | None,
        recorder: CallRecorder,
    ) -> Response:
        """The call in a worker thread: waits for an evaluation slot (given back while fetching from fhirServer)."""
        with self.slots.held():
            if call is None:
                call = self._envelope(service, body, content_type, recorder)
            return self._respond(service, call, body, base_url, caller, recorder)

    def _envelope(
        self, service: ServiceDeclaration, body: PendingBody, content_type: str | None, recorder: CallRecorder
    ) -> ParsedRequest:
        data = parse_hook_body(body.take(), content_type, service.prefetch_keys)
        call = pipeline.envelope(service, data, self.runtime)
        recorder.validated(call.request)
        return call

    def _respond(
        self,
        service: ServiceDeclaration,
        call: ParsedRequest,
        body: PendingBody,
        base_url: str,
        caller: Caller | None,
        recorder: CallRecorder,
    ) -> Response:
        result = self.evaluate(service, call, base_url, caller)
        recorder.answered(result)
        response = json_response(result.to_json())
        if body.size >= TRIM_AFTER_BYTES:  # once the answer is sent and the parsed body is gone
            response.background = BackgroundTask(release_free_memory)
        return response

    def evaluate(
        self,
        service: ServiceDeclaration,
        call: ParsedRequest,
        base_url: str,
        caller: Caller | None = None,
        lap: Lap = _no_lap,
    ) -> HookResult:
        """The stages after the envelope, in an evaluation slot the caller holds (given back while a call that
        names a FHIR server resolves its prefetch)."""
        runtime = self.runtime
        with self.slots.released() if pipeline.may_fetch(call) else nullcontext():
            record = pipeline.prefetch(service, call, runtime, caller)
        lap("prefetch")
        facts = pipeline.picture(service, call, record, runtime)
        lap("picture")
        findings = pipeline.rules(service, facts, runtime)
        lap("rules")
        result = pipeline.cards(call, findings, runtime, base_url)
        lap("cards")
        return result

    def evaluate_parsed(
        self, service: ServiceDeclaration, data: Any, base_url: str, lap: Lap = _no_lap
    ) -> HookResult:
        """One parsed JSON body through every stage in an evaluation slot, each stage told to `lap` as it ends
        (the benchmark's stage profile)."""
        with self.slots.held():
            call = pipeline.envelope(service, data, self.runtime)
            lap("envelope")
            return self.evaluate(service, call, base_url, lap=lap)

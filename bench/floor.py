"""The floor: a FastAPI app whose hook endpoint only parses the body with orjson and answers `{"cards": []}`.

Started exactly like the service (`uvicorn bench.floor:create_app --factory`), so the difference between the two
is what the service does beyond reading its request. `create_gc_tuned_app` is the same floor with the service's
garbage-collector settings (cds_service.gc_settings): the service tunes its collector, so against the plain floor
part of its ratio is that tuning; against this one the ratio is the cost of the service's own work alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, Request, Response

from cds_service.gc_settings import freeze_start_up, raise_gen0_threshold

EMPTY = b'{"cards":[]}'


def create_app() -> FastAPI:
    return _floor(FastAPI(title="floor"))


def create_gc_tuned_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise_gen0_threshold()
        freeze_start_up()
        yield

    return _floor(FastAPI(title="floor, GC tuned", lifespan=lifespan))


def _floor(app: FastAPI) -> FastAPI:
    @app.post("/cds-services/{service_id}")
    async def hook(service_id: str, request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(EMPTY, media_type="application/json")

    @app.get("/cds-services")
    async def discovery() -> Response:
        return Response(b'{"services":[]}', media_type="application/json")

    return app

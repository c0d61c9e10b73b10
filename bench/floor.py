"""The floor: a FastAPI app whose hook endpoint only parses the body with orjson and answers `{"cards": []}`.

Started exactly like the service (`uvicorn bench.floor:create_app --factory`), so the difference between the two
is what the service does beyond reading its request.
"""

from __future__ import annotations

import orjson
from fastapi import FastAPI, Request, Response

EMPTY = b'{"cards":[]}'


def create_app() -> FastAPI:
    app = FastAPI(title="floor")

    @app.post("/cds-services/{service_id}")
    async def hook(service_id: str, request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(EMPTY, media_type="application/json")

    @app.get("/cds-services")
    async def discovery() -> Response:
        return Response(b'{"services":[]}', media_type="application/json")

    return app

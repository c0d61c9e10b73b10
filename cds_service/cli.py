"""`peritoneal-cds` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

log = logging.getLogger("peritoneal-cds")

NO_AUTH_REFUSAL = (
    "refusing to start: client authentication (signed JWTs from trusted CDS clients) is not available yet, "
    "and a CDS service must not answer unauthenticated EHR calls in production. "
    "For local development run `peritoneal-cds serve --dev`."
)
DEV_WARNING = (
    "DEVELOPMENT MODE: no client authentication, http:// FHIR servers allowed on loopback, CORS open to any "
    "origin. Never expose this process to a network."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peritoneal-cds", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the CDS Hooks service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--dev", action="store_true", help="development mode (no client authentication)")
    return parser


def serve(host: str, port: int, workers: int, dev: bool) -> int:
    import uvicorn

    if not dev:
        print(NO_AUTH_REFUSAL, file=sys.stderr)
        return 2
    os.environ["CDS_DEV"] = "true"  # read by every worker's settings
    logging.basicConfig(level=logging.INFO)
    log.warning(DEV_WARNING)
    uvicorn.run("cds_service.app:create_app", factory=True, host=host, port=port, workers=workers)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.workers, args.dev)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())

"""`peritoneal-cds` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

# The tools (PyJWT and cryptography among them) are imported by the functions that use them, not with this module:
# every worker of `serve --workers N` is a spawned interpreter that re-runs the `peritoneal-cds` script, so
# imports this module, and would pay for them at each start.

log = logging.getLogger("peritoneal-cds")

DEV_WARNING = (
    "DEVELOPMENT MODE: http:// FHIR servers allowed on loopback, CORS open to any origin{auth}. "
    "Never expose this process to a network."
)


def _parser() -> argparse.ArgumentParser:
    from cds_service.tools import commands as tools

    parser = argparse.ArgumentParser(prog="peritoneal-cds", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the CDS Hooks service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development mode (loopback http FHIR servers; no authentication "
        "unless CDS_TRUSTED_CLIENTS is set)",
    )
    tools.register(commands)  # fire, keys, load-examples, check-config, feedback-report
    return parser


def serve(host: str, port: int, workers: int, dev: bool) -> int:
    """Run the service; outside --dev only with a valid trusted-clients file, with a valid site-codes file when
    one is named, and with a database that opens (all checked here, before any worker starts, so a bad file or
    CDS_DATABASE_URL stops start-up with a message naming the entry, line or reason; a worker opens its store
    only at its first use, and would only log it)."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from cds_service.app import trusted_clients
    from cds_service.clock import system_clock
    from cds_service.errors import ConfigError
    from cds_service.log_safety import install_on_root, safe_log_config
    from cds_service.settings import Settings
    from cds_service.site_codes import site_terminology
    from cds_service.sql_store import SqlStore
    from cds_service.web.http_limits import MAX_HEAD_BYTES, BoundedH11

    os.environ["CDS_DEV"] = "true" if dev else "false"  # read by every worker's settings
    try:
        settings = Settings()
        clients = trusted_clients(settings)
        site_terminology(settings.site_codes)
    except (ConfigError, ValueError) as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 2
    try:
        SqlStore(settings.database_url, system_clock).dispose()  # makes the tables, once for every worker
    except Exception as exc:  # whatever SQLAlchemy or the driver raises: the reason is in its message
        print(
            f"refusing to start: CDS_DATABASE_URL cannot be opened: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO)
    install_on_root()
    if dev:
        log.warning(DEV_WARNING.format(auth="" if clients else ", no client authentication"))
    uvicorn.run(
        "cds_service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=safe_log_config(LOGGING_CONFIG),
        http=BoundedH11,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.workers, args.dev)
    from cds_service.tools import commands as tools

    if args.command in tools.COMMANDS:
        return tools.run(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())

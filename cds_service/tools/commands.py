"""The integrator subcommands of `peritoneal-cds`: fire, keys, load-examples, check-config, feedback-report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cds_service.errors import ConfigError
from cds_service.tools import devkeys

COMMANDS = ("fire", "keys", "load-examples", "check-config", "feedback-report")


def register(commands: Any) -> None:
    """Add the subcommands to the `peritoneal-cds` subparsers."""
    from cds_service.tools.fire import DEFAULT_SERVICE, DEFAULT_USER, HOOKS

    fire = commands.add_parser("fire", help="fire a hook at the service as an EHR would and print the cards")
    fire.add_argument("hook", choices=HOOKS)
    fire.add_argument("--patient", required=True, help="patient id (context.patientId)")
    fire.add_argument("--fhir", help="FHIR server base URL: prefetch is filled from it")
    fire.add_argument("--fhir-token", help="bearer token for the FHIR server")
    fire.add_argument(
        "--let-service-fetch",
        action="store_true",
        help="send fhirServer (and fhirAuthorization with --fhir-token) instead of prefetch",
    )
    fire.add_argument(
        "--service", default=DEFAULT_SERVICE, help=f"service base URL (default {DEFAULT_SERVICE})"
    )
    fire.add_argument("--service-id", help="CDS service id (default: the one for HOOK in discovery)")
    fire.add_argument("--public-base-url", help="the service's CDS_PUBLIC_BASE_URL, if not --service")
    fire.add_argument(
        "--order",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="draft order: a resource, a Bundle or a hook request JSON file (repeatable)",
    )
    fire.add_argument(
        "--appointment",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="appointment-book: the Appointment being booked, as a resource, a Bundle or a hook request JSON "
        "file (repeatable)",
    )
    fire.add_argument("--user", default=DEFAULT_USER, help=f"context.userId (default {DEFAULT_USER})")
    fire.add_argument("--encounter", help="context.encounterId")
    fire.add_argument(
        "--key",
        type=Path,
        help=f"development client key (a `keys` folder or its client.json); default {devkeys.DEFAULT_DIR} "
        "when it exists, else the call is unsigned",
    )
    fire.add_argument("--json", action="store_true", help="print the raw response JSON")

    keys = commands.add_parser(
        "keys", help="write a development ES384 client key, its JWKS and trusted-clients"
    )
    keys.add_argument("--out", type=Path, default=devkeys.DEFAULT_DIR)
    keys.add_argument("--iss", default=devkeys.DEFAULT_ISSUER)
    keys.add_argument(
        "--fhir-server",
        action="append",
        default=[],
        help="fhir_servers of the client (repeatable; default loopback)",
    )
    keys.add_argument("--force", action="store_true", help="replace an existing development key")

    load = commands.add_parser("load-examples", help="load the example patients into a FHIR server")
    load.add_argument("--fhir", required=True, help="FHIR server base URL")
    load.add_argument("--token", help="bearer token for the FHIR server")
    load.add_argument("--dir", type=Path, help="folder of transaction Bundles (default fixtures/patients)")

    check = commands.add_parser(
        "check-config", help="validate the trusted-clients and site-codes files and print what they hold"
    )
    check.add_argument("--trusted-clients", type=Path, help="the file (default CDS_TRUSTED_CLIENTS)")
    check.add_argument("--site-codes", type=Path, help="the site's code mappings (default CDS_SITE_CODES)")

    report = commands.add_parser("feedback-report", help="per rule id: shown, accepted, overridden, reasons")
    report.add_argument("--database-url", help="the store (default CDS_DATABASE_URL)")
    report.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    handler = {
        "fire": _fire,
        "keys": _keys,
        "load-examples": _load_examples,
        "check-config": _check_config,
        "feedback-report": _feedback_report,
    }[args.command]
    return handler(args)


def _fail(message: str, code: int = 2) -> int:
    print(f"peritoneal-cds {message}", file=sys.stderr)
    return code


def _fire(args: argparse.Namespace) -> int:
    from cds_service.tools.fire import FireError, FireOptions, fire, render_cards

    try:
        key_path = args.key or (
            devkeys.DEFAULT_DIR if (devkeys.DEFAULT_DIR / devkeys.CLIENT_FILE).exists() else None
        )
        key = devkeys.load_dev_key(key_path) if key_path is not None else None
        options = FireOptions(
            hook=args.hook,
            patient=args.patient,
            service=args.service,
            fhir=args.fhir,
            fhir_token=args.fhir_token,
            let_service_fetch=args.let_service_fetch,
            orders=tuple(args.order),
            appointments=tuple(args.appointment),
            user=args.user,
            encounter=args.encounter,
            service_id=args.service_id,
            public_base_url=args.public_base_url,
            key=key,
        )
        result = fire(options)
    except (FireError, devkeys.DevKeyError) as exc:
        return _fail(f"fire: {exc}")
    if args.json:
        print(json.dumps(result.response, indent=2))
    else:
        print(render_cards(result))
    return 0 if result.status == 200 else 1


def _keys(args: argparse.Namespace) -> int:
    servers = tuple(args.fhir_server) or devkeys.DEFAULT_FHIR_SERVERS
    try:
        files = devkeys.write_dev_keys(args.out, args.iss, servers, args.force)
    except devkeys.DevKeyError as exc:
        return _fail(f"keys: {exc}")
    for label, path in files.items():
        print(f"{label:>16}: {path}")
    print(
        f"\nTrust it:  CDS_TRUSTED_CLIENTS={files['trusted clients']} peritoneal-cds serve --dev\n"
        f"Sign with: peritoneal-cds fire ... --key {args.out}   (the default folder is used when present)"
    )
    return 0


def _load_examples(args: argparse.Namespace) -> int:
    from cds_service.tools.examples import LoadError, load_examples

    try:
        loaded = load_examples(args.fhir, args.token, args.dir)
    except LoadError as exc:
        return _fail(f"load-examples: {exc}", 1)
    for name, status, entries in loaded:
        print(f"{name}: {entries} entries -> HTTP {status}")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    from cds_service.tools.config_check import check_config

    try:
        print(check_config(args.trusted_clients, args.site_codes))
    except ConfigError as exc:
        return _fail(f"check-config: {exc}")
    return 0


def _feedback_report(args: argparse.Namespace) -> int:
    from cds_service.analytics import feedback_report, render_report
    from cds_service.clock import system_clock
    from cds_service.settings import Settings
    from cds_service.sql_store import SqlStore

    store = SqlStore(args.database_url or Settings().database_url, system_clock)
    try:
        report = feedback_report(store)
    finally:
        store.dispose()
    print(json.dumps(report, indent=2) if args.json else render_report(report))
    return 0

"""The preview page (`GET /preview`): fire an example request at a service from a browser and see its cards as a
clinician would. On in `--dev`, off otherwise unless `CDS_PREVIEW=true`; when off, the routes do not exist (404).

The page is server-rendered HTML (`preview.html`) with one small script (`preview.js`) and one stylesheet, all
served from this package: nothing is fetched from elsewhere, and a strict Content-Security-Policy forbids inline
script, so that text from a card could not run even if it reached the DOM as markup (the script never puts service
text into the DOM as markup in the first place: it uses textContent, and renders a card's markdown detail only
after escaping it).

The example requests are the JSON files of `fixtures/examples/` at the repository root, read once when the app is
built. An installed wheel has no fixtures folder beside its package; then `./fixtures/examples` (the working
directory, as in the Docker image) is tried, and without either the page lists no examples.

The page calls the service exactly as an EHR would, from the browser. When the app authenticates callers (trusted
clients configured) the page shows a token field: each call then needs a fresh JWT signed by a trusted client,
pasted before firing (see README "Preview page").
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from cds_service.engine.types import ORDER_HOOKS
from cds_service.errors import NotFound
from cds_service.settings import Settings
from hooks.services import SERVICES

HERE = Path(__file__).resolve().parent
PACKAGE_EXAMPLES = HERE.parent.parent / "fixtures" / "examples"
WORKDIR_EXAMPLES = Path("fixtures") / "examples"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ASSETS = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class DraftOrder:
    reference: str
    label: str


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    hook: str
    patient_id: str
    orders: tuple[DraftOrder, ...]
    request: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "hook": self.hook,
            "patientId": self.patient_id,
            "orders": [{"reference": o.reference, "label": o.label} for o in self.orders],
            "request": self.request,
        }


def examples_folder(candidates: tuple[Path, ...] = (PACKAGE_EXAMPLES, WORKDIR_EXAMPLES)) -> Path | None:
    """The first folder of example requests that exists: beside the package (a source checkout), else under
    the working directory; None in an installed wheel run elsewhere."""
    return next((folder for folder in candidates if folder.is_dir()), None)


def load_examples(folder: Path | None) -> tuple[Example, ...]:
    """Every `*.json` of the folder that is a hook request (other files are skipped), sorted by name."""
    if folder is None:
        return ()
    examples = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if not (
            isinstance(data, dict)
            and isinstance(data.get("hook"), str)
            and isinstance(data.get("context"), dict)
        ):
            continue
        context = data["context"]
        examples.append(
            Example(
                name=path.stem,
                title=_title(path.stem, data["hook"]),
                hook=data["hook"],
                patient_id=str(context.get("patientId", "")),
                orders=_draft_orders(context) if data["hook"] in ORDER_HOOKS else (),
                request=data,
            )
        )
    return tuple(examples)


def _title(stem: str, hook: str) -> str:
    rest = stem[len(hook) + 1 :] if stem.startswith(hook + "-") else stem
    return f"{hook}: {rest.replace('-', ' ')}"


def _draft_orders(context: dict[str, Any]) -> tuple[DraftOrder, ...]:
    bundle = context.get("draftOrders")
    entries = bundle.get("entry", []) if isinstance(bundle, dict) else []
    orders = []
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not resource.get("id"):
            continue
        reference = f"{resource.get('resourceType')}/{resource['id']}"
        orders.append(DraftOrder(reference, f"{_order_text(resource)} ({reference})"))
    return tuple(orders)


def _order_text(resource: dict[str, Any]) -> str:
    concept = resource.get("medicationCodeableConcept") or resource.get("code") or {}
    text = concept.get("text") if isinstance(concept, dict) else None
    if not text and isinstance(concept, dict):
        codings = concept.get("coding") or [{}]
        text = codings[0].get("display") if isinstance(codings[0], dict) else None
    dosage = resource.get("dosageInstruction") or [{}]
    dose = dosage[0].get("text") if isinstance(dosage[0], dict) else None
    return " — ".join(str(part) for part in (text or resource.get("resourceType", "order"), dose) if part)


def enabled(settings: Settings) -> bool:
    """`CDS_PREVIEW` when set, else on exactly in development mode."""
    return settings.dev if settings.preview is None else settings.preview


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the preview routes when enabled, with the examples read now (once, at start-up)."""
    if not enabled(settings):
        return
    app.state.preview_examples = load_examples(examples_folder())
    app.include_router(router)


def _page(request: Request) -> str:
    examples: tuple[Example, ...] = request.app.state.preview_examples
    needs_token = request.app.state.authenticator is not None
    example_options = "".join(
        f'<option value="{html.escape(e.name)}" data-hook="{html.escape(e.hook)}">{html.escape(e.title)}</option>'
        for e in examples
    )
    service_options = "".join(
        f'<option value="{html.escape(s.id)}" data-hook="{html.escape(s.hook)}">'
        f"{html.escape(s.hook)} — {html.escape(s.id)}</option>"
        for s in SERVICES
    )
    notice = (
        '<p class="notice" id="no-examples">No example requests were found (fixtures/examples is not beside '
        "this installation). Paste a request into the request box below.</p>"
        if not examples
        else ""
    )
    token = (
        '<label id="token-field">Bearer token (a fresh JWT signed by a trusted client, aud = the service URL; '
        'used for one call)<input id="token" type="password" autocomplete="off"></label>'
        if needs_token
        else ""
    )
    template = (HERE / "preview.html").read_text(encoding="utf-8")
    return (
        template.replace("{{example_options}}", example_options)
        .replace("{{service_options}}", service_options)
        .replace("{{notice}}", notice)
        .replace("{{token}}", token)
        .replace("{{auth}}", "jwt" if needs_token else "none")
    )


@router.get("/preview")
def get_preview(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(request), headers=SECURITY_HEADERS)


@router.get("/preview/examples.json")
def get_examples(request: Request) -> Response:
    examples: tuple[Example, ...] = request.app.state.preview_examples
    body = orjson.dumps({"examples": [e.as_json() for e in examples]})
    return Response(body, media_type="application/json", headers=SECURITY_HEADERS)


@router.get("/preview/{asset}")
def get_asset(asset: str) -> Response:
    media_type = ASSETS.get(asset)
    if media_type is None:
        raise NotFound(f"no preview asset '{asset[:64]}'", ["asset"])
    return Response((HERE / asset).read_bytes(), media_type=media_type, headers=SECURITY_HEADERS)

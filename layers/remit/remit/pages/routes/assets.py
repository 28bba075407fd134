"""``/assets/{name}``: the pages' stylesheet and Stripe Elements' script, served by the
function itself (no CDN), cached for an hour."""

from __future__ import annotations

import mimetypes

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.pages.render import HERE, plain

STATIC = HERE / "static"

router = Router()


@router.get("/assets/<name>")
def asset(name: str) -> Response[str | bytes]:
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return plain(404, "not found")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    text = kind.startswith("text/")
    body: str | bytes = path.read_text() if text else path.read_bytes()
    headers = {
        "Content-Type": f"{kind}; charset=utf-8" if text else kind,
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(status_code=200, body=body, headers=headers)

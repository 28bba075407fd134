"""``/assets/{name}``: the pages' stylesheet and Stripe Elements' script, served by the
function itself (no CDN), cached for an hour."""

from __future__ import annotations

import mimetypes

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.pages.render import HERE, plain

STATIC = HERE / "static"

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


@router.get("/assets/<name>")
def asset(name: str) -> Response[str] | Response[bytes]:
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        return plain(404, "not found")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if kind.startswith("text/"):
        return Response(
            200, body=path.read_text(), headers={"Content-Type": f"{kind}; charset=utf-8", **headers}
        )
    return Response(200, body=path.read_bytes(), headers={"Content-Type": kind, **headers})

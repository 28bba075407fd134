"""What a change posted from a page answers: back to that page (303, so a reload never
posts again) with a notice, or with the service's refusal in words and nothing saved."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from remit.dashboard.forms import error_text
from remit.dashboard.web import Visit
from remit.errors import NotFound, RemitError


def subject_gone(exc: NotFound) -> bool:
    """The page's own subject (the invoice, the customer) is not there: a 404, not a
    refusal to show on it. A NotFound naming another field (a payment method) is one."""
    return exc.field in (None, "id")


def changed(
    v: Visit,
    back: str,
    change: Callable[[], object],
    notice: str,
    gone: Callable[[NotFound], bool] = subject_gone,
    **params: str,
) -> Response[str]:
    """``change`` may answer itself (a Response); otherwise the page gets ``notice``."""
    try:
        answered = change()
    except ValidationError as exc:
        return v.back(back, error=error_text(exc), **params)
    except RemitError as exc:
        if isinstance(exc, NotFound) and gone(exc):
            raise
        return v.back(back, error=exc.message, **params)
    if isinstance(answered, Response):
        return answered
    return v.back(back, notice=notice, **params)

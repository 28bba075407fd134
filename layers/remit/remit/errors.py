"""Domain errors. Each carries a machine code; the HTTP layer maps classes to statuses in
one place (remit.http.errors), so nothing below the handlers knows about HTTP."""

from __future__ import annotations


class RemitError(Exception):
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class ValidationFailed(RemitError):
    """Input that is well-formed JSON but not acceptable (a 422)."""

    code = "validation_error"


class NotFound(RemitError):
    """Unknown id, or an id that belongs to another organization: the two look the same."""

    code = "not_found"


class Conflict(RemitError):
    """The request is valid but the object's state does not allow it (a 409)."""

    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_state"


class ConcurrentUpdate(Conflict):
    """Optimistic-lock retries ran out; the caller may simply try again."""

    code = "concurrent_update"


class Unauthorized(RemitError):
    code = "unauthorized"


class PaymentDeclined(RemitError):
    """The gateway refused the charge (a 402); the attempt is recorded on the invoice."""

    code = "payment_failed"


class Unavailable(RemitError):
    """Something Remit depends on (SES, the PDF renderer) failed; trying later may work."""

    code = "unavailable"

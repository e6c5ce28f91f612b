"""How a domain error reaches the user: its HTTP status and its message."""

from core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)

_STATUS = {
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    FieldErrors: 422,
}


def status_for(exc: DomainError) -> int:
    """Return the HTTP status of a domain error."""
    return next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)


def message_for(exc: DomainError) -> str:
    """Return the message to show; field errors without their field keys."""
    if isinstance(exc, FieldErrors):
        return "；".join(exc.errors.values())
    return exc.message

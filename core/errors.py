"""Domain exceptions; web/ maps each to an HTTP status."""


class DomainError(Exception):
    """Base of every error a service raises on purpose; message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does."""


class PermissionDenied(DomainError):
    """The user may not do this."""


class PasswordChangeRequired(PermissionDenied):
    """The account's temporary password must be changed before anything else."""


class Conflict(DomainError):
    """The object changed since the user read it, or would duplicate another."""

    def __init__(self, message: str, current: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


class NotAuthenticated(DomainError):
    """No valid login."""


class LoginThrottled(NotAuthenticated):
    """Too many failed logins from here lately: wait `retry_after` seconds before the next."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FieldErrors(DomainError):
    """Input that fails validation; maps field name to a Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors

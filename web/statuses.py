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


# The heading of an error page (and of its htmx fragment) for each status.
TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权查看",
    404: "未找到",
    405: "不支持的请求方式",
    409: "数据冲突",
    422: "请求有误",
    500: "服务器出错",
}


def status_for(exc: DomainError) -> int:
    """Return the HTTP status of a domain error."""
    return next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)


def message_for(exc: DomainError) -> str:
    """Return the message to show; field errors without their field keys."""
    if isinstance(exc, FieldErrors):
        return "；".join(exc.errors.values())
    return exc.message

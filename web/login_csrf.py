"""The login form's CSRF token: before a session exists, a signed double-submit cookie.

The login page sets a cookie holding a random value signed with the server secret and puts
the same token in its form; a login must bring both, equal and validly signed. A page on
another site can make a browser post the form, but can neither read the cookie nor set one
the server signed, so it cannot log that browser into an account of its own (login CSRF).
API clients log in with `POST /api/v1/auth/token` instead: it sets no cookie, so there is
nothing for another site to ride on.
"""

import hashlib
import hmac
import secrets
import time

from fastapi import Request, Response

COOKIE = "chainplan_login"
FIELD = "csrf_token"
# A login page left open over a working day still logs in.
MAX_AGE_SECONDS = 12 * 3600


def _signature(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"login-csrf:{value}".encode(), hashlib.sha256).hexdigest()


def _issue(secret: str) -> str:
    value = f"{secrets.token_urlsafe(18)}.{int(time.time())}"
    return f"{value}.{_signature(secret, value)}"


def _well_formed(secret: str, token: str) -> bool:
    """Signed by this server and not too old."""
    value, _, signature = token.rpartition(".")
    stamp = value.rpartition(".")[2]
    if not (value and stamp.isdigit()):
        return False
    fresh = 0 <= time.time() - int(stamp) <= MAX_AGE_SECONDS
    return fresh and hmac.compare_digest(signature, _signature(secret, value))


def token_for(request: Request, secret: str) -> str:
    """The token of this browser's login form: its cookie's if still good, else a new one."""
    current = request.cookies.get(COOKIE, "")
    return current if _well_formed(secret, current) else _issue(secret)


def set_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser the cookie half of the token (the page carries the other half)."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def is_valid(request: Request, secret: str, submitted: str) -> bool:
    """Whether the submitted form token matches the browser's cookie and is this server's."""
    cookie = request.cookies.get(COOKIE, "")
    return (
        bool(submitted)
        and hmac.compare_digest(cookie.encode(), submitted.encode())
        and _well_formed(secret, cookie)
    )

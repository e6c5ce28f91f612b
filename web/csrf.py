"""The session's CSRF token as pages carry it: masked anew in every response.

Pages are sent gzipped (web.app), and a page that holds a secret and also echoes what a
request asked for (a search term) lets an observer of compressed lengths guess the secret a
character at a time (BREACH). Each page therefore carries the token XOR a fresh random pad,
pad included, so no two responses share its bytes; a submitted token is unmasked before the
comparison. The bare token (API clients and tests that hold the session) is accepted too.
"""

import base64
import hmac
import secrets


def masked(token: str) -> str:
    """The token under a fresh random pad, as one URL-safe string."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    hidden = bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    return base64.urlsafe_b64encode(pad + hidden).decode()


def _unmasked(submitted: str) -> bytes:
    try:
        both = base64.urlsafe_b64decode(submitted.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return b""
    half, odd = divmod(len(both), 2)
    if odd:
        return b""
    return bytes(a ^ b for a, b in zip(both[:half], both[half:], strict=True))


def matches(submitted: str, token: str) -> bool:
    """True when submitted is the token, masked (from a page) or bare."""
    if not submitted or not token:
        return False
    expected = token.encode()
    return hmac.compare_digest(submitted.encode(), expected) or hmac.compare_digest(
        _unmasked(submitted), expected
    )

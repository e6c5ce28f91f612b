"""Text as people may enter it, and as XML (.xlsx, .svg) can carry it.

Control characters are invisible in a form and break what the text is written into: one
U+0001 in a firm's name made every .xlsx export fail (XML 1.0 cannot hold it), a lone
surrogate cannot be stored by PostgreSQL at all. Input refuses them (tab, line feed and
carriage return excepted); writers of files replace whatever already sits in the database.
"""

import re
from collections.abc import Mapping

from core.errors import FieldErrors

# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates; U+FFFE, U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What an XML 1.0 document cannot hold at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same rule as a JSON Schema pattern, so that the OpenAPI says which text is accepted.
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]*$"
# A link's address (web_address_problem), empty or http(s), as a JSON Schema pattern.
WEB_ADDRESS_PATTERN = (
    r"^(https?://[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]*)?$"
)
REPLACEMENT = "\ufffd"  # �: shows that something unprintable stood there


def control_problem(value: str) -> str | None:
    """Return why value may not be entered (a control character), or None if it may."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return f"含有不可见的控制字符（U+{ord(found.group()):04X}），请删除后重试"


def refuse_control(values: Mapping[str, str], labels: Mapping[str, str]) -> None:
    """Raise FieldErrors naming every field (by its label) whose text holds a control character."""
    errors = {
        key: f"{labels.get(key, key)}{problem}"
        for key, value in values.items()
        if (problem := control_problem(value))
    }
    if errors:
        raise FieldErrors(errors)


def web_address_problem(value: str) -> str | None:
    """Say why value may not be a link's address (only http and https may be opened), or None."""
    if value and not value.startswith(("http://", "https://")):
        return "须以 http:// 或 https:// 开头"
    return None


def xml_safe(value: str) -> str:
    """Return value with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, value)

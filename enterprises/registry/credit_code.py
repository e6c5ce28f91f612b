"""Unified social credit code (统一社会信用代码) per GB 32100-2015."""

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUES = {c: i for i, c in enumerate(ALPHABET)}
_CODE = re.compile(f"[{ALPHABET}]{{18}}")
_BODY = re.compile(f"[{ALPHABET}]{{17}}")
# The check sums each character's value times 3^i (i from the left) modulo 31. As 34 ≡ 3
# (mod 31), that is the characters read backwards as the digits of a base-34 number: one int()
# in C rather than 17 lookups and products in Python (an import checks every row's code).
_BASE34 = str.maketrans(ALPHABET, "0123456789abcdefghijklmnopqrstu")
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def check_character(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a code."""
    if _BODY.fullmatch(first17) is None:
        raise ValueError("a credit code's body has 17 characters of its alphabet")
    return ALPHABET[-int(first17[::-1].translate(_BASE34), 34) % 31]


def organisation_check_digit(first8: str) -> str:
    """Return the check character of a GB 11714 organisation code (positions 9-17)."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def problem(code: str) -> str | None:
    """Return what is wrong with a code in Chinese, or None when it is valid."""
    if len(code) != 18:
        return f"应为 18 位，实际 {len(code)} 位"
    if _CODE.fullmatch(code) is None:
        return f"含有不允许的字符：{''.join(sorted(set(code) - _VALUES.keys()))}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验位错误（第 18 位应为 {expected}）"
    return None


def build(registration: str, division: str, organisation8: str) -> str:
    """Assemble a valid code from its parts (used by the demo generator and tests)."""
    body = registration + division + organisation8 + organisation_check_digit(organisation8)
    return body + check_character(body)

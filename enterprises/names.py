"""Firm names compared without the parts that vary between spellings of the same firm."""

import re

_NAME_NOISE = re.compile(
    r"^(广东省?)?(佛山市?)?(禅城区|南海区|顺德区|高明区|三水区)?|[（(].*?[)）]|"
    r"(股份)?有限(责任)?公司$|集团$|公司$"
)


def core_name(name: str) -> str:
    """A firm's name without place prefixes, brackets and company-form suffixes."""
    return _NAME_NOISE.sub("", name.replace(" ", ""))

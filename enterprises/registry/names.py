"""Firm names compared without the parts that vary between spellings of the same firm."""

import re

# Place prefixes seen on investors' names: Guangdong, Foshan and its districts, and the cities
# most investors come from. A fixed list, because a bare "XX市" pattern eats trade names.
_PLACES = (
    "北京|上海|天津|重庆|深圳|广州|东莞|中山|珠海|江门|惠州|肇庆|苏州|无锡|常州|南京|杭州|宁波|"
    "温州|合肥|武汉|长沙|成都|西安|厦门|福州|青岛|济南|郑州|香港|澳门"
)
_NAME_NOISE = re.compile(
    rf"^(广东省?)?(佛山市?)?(禅城区|南海区|顺德区|高明区|三水区)?(({_PLACES})市?)?|[（(].*?[)）]|"
    r"(股份)?有限(责任)?公司$|集团$|公司$"
)


def core_name(name: str) -> str:
    """A firm's name without place prefixes, brackets and company-form suffixes."""
    return _NAME_NOISE.sub("", name.replace(" ", ""))

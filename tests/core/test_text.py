"""What input may hold, and what XML can carry."""

import pytest

from core.errors import FieldErrors
from core.text import control_problem, refuse_control, web_address_problem, xml_safe


@pytest.mark.parametrize(
    "text", ["\x00", "a\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\ud800"]
)
def test_control_characters_are_named(text: str) -> None:
    assert control_problem(text) == (f"含有不可见的控制字符（U+{ord(text[-1]):04X}），请删除后重试")


@pytest.mark.parametrize("text", ["", "佛山 科技\t有限公司\r\n第二行", "<script>", "\u3000", "😀"])
def test_ordinary_text_passes(text: str) -> None:
    assert control_problem(text) is None
    assert xml_safe(text) == text


def test_refusals_name_every_field_by_its_label() -> None:
    with pytest.raises(FieldErrors) as refused:
        refuse_control({"name": "a\x01", "note": "ok", "team": "\x1b"}, {"name": "名称"})
    assert refused.value.errors == {
        "name": "名称含有不可见的控制字符（U+0001），请删除后重试",
        "team": "team含有不可见的控制字符（U+001B），请删除后重试",
    }


def test_xml_safe_replaces_only_what_xml_cannot_hold() -> None:
    assert xml_safe("a\x01b\x7f\x85\ufffe\ud800") == "a\ufffdb\x7f\x85\ufffd\ufffd"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil", "ftp://x"])
def test_links_open_only_web_addresses(url: str) -> None:
    assert web_address_problem(url) == "须以 http:// 或 https:// 开头"
    assert web_address_problem("https://example.org/a?b=<c>") is None

"""Password rules: what a guesser tries first is refused, with the reason in Chinese."""

import pytest

from core import passwords
from core.errors import FieldErrors
from seeds.demo import DEMO_PASSWORD
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "8 到 128"),
        ("alllowercase", "至少三类"),
        ("Admin@123", "常见单词"),
        ("Adm1n@2026", "常见单词"),  # l33t between letters is read as letters
        ("P@ssw0rd2026", "常见单词"),
        ("Qwer@1234", "常见单词"),
        ("Foshan@2026", "常见单词"),  # the zone's and the system's names
        ("Chainplan#1", "常见单词"),
        ("Password1!", "常见单词"),
        ("P@ssw0rd", "常见单词"),
        ("Qwerty123!", "常见单词"),
        ("Aa123456!", "过于常见"),
        ("1qaz@WSX", "过于常见"),  # keyboard pattern
        ("Zhangwei2026", "用户名"),  # the user name with a year
        ("2026@ZHANGWEI", "用户名"),
        ("Orbit#zhangwei9", "用户名"),
        ("Li.Wei#0815x", "用户名或姓名"),  # the display name
    ],
)
def test_weak_and_common_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(FieldErrors, match=message):
        passwords.check_password_rules("zhangwei", password, display_name="Li Wei")


@pytest.mark.parametrize("username", ["admin", "leader", "chief", "promoter", "shunde", "viewer"])
def test_the_demo_and_test_passwords_pass(username: str) -> None:
    passwords.check_password_rules(username, DEMO_PASSWORD)
    passwords.check_password_rules(f"{username}-7", PASSWORD)


def test_admin_at_123_is_refused_for_anyone() -> None:
    for username in ("admin", "someone", "x1"):
        with pytest.raises(FieldErrors):
            passwords.check_password_rules(username, "Admin@123")

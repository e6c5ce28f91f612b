"""Passwords: argon2id hashes, checks that take the same time for every name, and the rules.

The rules refuse what a guesser tries first: short or one-kind passwords, a common word with
digits and symbols around it (Admin@123, P@ssw0rd2026), the user's own name or the zone's
names in it, and whatever zxcvbn judges guessable in under 10^8 tries.
"""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from core.errors import FieldErrors

# argon2id with the library's current recommended parameters
_hasher = PasswordHasher()

# The names of this system and this zone: a guesser's first words here. zxcvbn is given them
# as hints, so it also finds them inside longer passwords, reversed or in l33t.
ZONE_WORDS = [
    "chainplan", "foshan", "gaoxin", "gaoxinqu", "chanye", "chanyelian", "zhaoshang", "zone",
    "chancheng", "nanhai", "shunde", "gaoming", "sanshui", "佛山", "高新区",
]  # fmt: skip
# The words a guesser dresses up with digits and symbols first: the bases of the commonest
# passwords that pass the three-kinds rule (Admin@123, P@ssw0rd, Qwer@1234), and the zone's.
COMMON_WORDS = frozenset([
    "admin", "administrator", "root", "system", "manager", "super", "user", "guest", "test",
    "demo", "login", "password", "passwd", "pass", "welcome", "hello", "love", "iloveyou",
    "woaini", "qwer", "qwert", "qwerty", "asdf", "zxcv", "qazwsx", "abc", "abcd", "abcde",
    "aaaa", "huawei", "china", "changeme", "letmein", *ZONE_WORDS,
])  # fmt: skip
# A digit or symbol between two letters usually stands for a letter (adm1n, p@ss).
_LEET = str.maketrans("0134578@$!|", "oieastbasil")
# zxcvbn's score 3: at least 10^8 guesses (score 2, allowed before, let Admin@123 through).
MIN_SCORE = 3


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


# Checked for unknown or disabled names. Made at start-up, with the current parameters, so
# that not even the first unknown name takes longer (making it then would add a hashing).
_STAND_IN_HASH = _hasher.hash("stand-in: no account has this password")


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash; without one, spend the same time and say no.

    Checking a stand-in hash for unknown names keeps them from answering faster than known
    ones (an argon2 check is most of a login's time), so timing does not tell names apart.
    """
    try:
        return _hasher.verify(password_hash or _STAND_IN_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with older parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def _letters(password: str) -> str:
    """The password's letters, lowered, with l33t between letters read back as letters."""
    lowered = password.lower()
    kept = []
    for i, char in enumerate(lowered):
        if char.isalpha():
            kept.append(char)
        elif 0 < i < len(lowered) - 1 and lowered[i - 1].isalpha() and lowered[i + 1].isalpha():
            kept.append(char.translate(_LEET))
    return "".join(c for c in kept if c.isalpha())


def _own_words(username: str, display_name: str) -> list[str]:
    """The user's names as a guesser would try them (at least three characters)."""
    words = {username.strip().lower(), display_name.strip().lower()}
    words |= {re.sub(r"[^a-z]", "", w) for w in words}
    return [w for w in words if len(w) >= 3]


def check_password_rules(username: str, password: str, display_name: str = "") -> None:
    """Refuse passwords that are short, simple, common or built from the user's names."""
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if not 8 <= len(password) <= 128:
        raise FieldErrors({"password": "密码长度须为 8 到 128 个字符"})
    if classes < 3:
        raise FieldErrors({"password": "密码须包含大写字母、小写字母、数字、符号中的至少三类"})
    own = _own_words(username, display_name)
    lowered = password.lower()
    if any(word in lowered or word in _letters(password) for word in own):
        raise FieldErrors({"password": "密码不能包含用户名或姓名"})
    if _letters(password) in COMMON_WORDS | set(own):
        raise FieldErrors(
            {"password": "密码是常见单词加数字或符号（如 Admin@123），容易被猜到，请换一个"}
        )
    # zxcvbn knows the most common passwords (with l33t and keyboard variants), dates and
    # repeats, and finds the hints inside longer passwords: it scores how many guesses one takes.
    if zxcvbn(password[:100], user_inputs=[*own, *ZONE_WORDS])["score"] < MIN_SCORE:
        raise FieldErrors(
            {"password": "密码过于常见或容易被猜到（如常见密码、键盘序列、日期），请换一个"}
        )

import pytest

from enterprises.registry import credit_code


@pytest.mark.parametrize("code", ["91110108551385082Q", "91440606MA4UH0XX4Q"])
def test_valid_codes_pass(code: str) -> None:
    assert credit_code.problem(code) is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110108551385082A", "校验位错误（第 18 位应为 Q）"),
        ("9111010855138508", "应为 18 位，实际 16 位"),
        ("91110108551385O82Q", "含有不允许的字符：O"),
    ],
)
def test_invalid_codes_say_why(code: str, message: str) -> None:
    assert credit_code.problem(code) == message


def test_built_codes_carry_both_check_characters() -> None:
    code = credit_code.build("91", "440605", "MA000123")
    assert credit_code.problem(code) is None
    assert code[16] == credit_code.organisation_check_digit("MA000123")

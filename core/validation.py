"""What every input model checks, and its errors as Chinese messages that name the field."""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from sqlmodel import SQLModel
from sqlmodel._compat import SQLModelConfig

from core.errors import FieldErrors
from core.text import TEXT_PATTERN, WEB_ADDRESS_PATTERN, control_problem, web_address_problem

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "finite_number": "须为有限的数字",
    "decimal_parsing": "须为数字",
    "bool_parsing": "须为“是”或“否”",
    "date_from_datetime_parsing": "日期格式应为 2023-01-05",
    "date_parsing": "日期格式应为 2023-01-05",
    "date_type": "日期格式应为 2023-01-05",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "须大于 {gt}",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "extra_forbidden": "不是可接受的字段",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "{error}",
}


def _text_rule(schema: dict[str, Any], model: type[Any]) -> None:
    """Publish the control-character rule as a pattern on every free-text field of an input."""
    if not getattr(model, "checks_input", False):
        return
    for name, field in schema.get("properties", {}).items():
        rule = WEB_ADDRESS_PATTERN if name in model.web_addresses else TEXT_PATTERN
        for kind in [field, field.get("items", {}), *field.get("anyOf", [])]:
            if kind.get("type") == "string" and not {"format", "pattern", "enum"} & set(kind):
                kind["pattern"] = rule


class Input(SQLModel):
    """Base of every model people fill in (forms, API bodies, import rows).

    Its text may hold no control characters (core.text), its numbers must be finite; each
    number field states its bound from core.bounds, so that the OpenAPI shows it.
    An output model that extends an input model (EnterprisePublic, LeadOut, …) sets
    `checks_input = False`: it shows what is stored, even what input refuses today.
    """

    model_config = SQLModelConfig(allow_inf_nan=False, json_schema_extra=_text_rule)
    checks_input: ClassVar[bool] = True
    # Fields holding a link's address: empty, or http(s) (pages open them as links).
    web_addresses: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="wrap")
    @classmethod
    def _as_input(
        cls, value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> object:
        if not cls.checks_input:
            try:
                return handler(value)
            except ValidationError:
                return value
        checked = handler(value)
        for text in checked if isinstance(checked, list) else [checked]:
            if isinstance(text, str) and (problem := control_problem(text)):
                raise ValueError(problem)
        web = info.field_name in cls.web_addresses and isinstance(checked, str)
        if web and (problem := web_address_problem(str(checked))):
            raise ValueError(problem)
        return checked


def _shown(value: object) -> object:
    """A bound as people read it: 1,000,000,000 rather than 1000000000.0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return value


def chinese_message(error: Mapping[str, Any]) -> str:
    """Return the Chinese message for one pydantic error."""
    template = _MESSAGES.get(error["type"])
    if template is None:
        return "格式不正确"
    try:
        return template.format(**{k: _shown(v) for k, v in (error.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template


def field_errors(errors: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> FieldErrors:
    """Map pydantic errors to FieldErrors keyed by field, each message naming the field."""
    result: dict[str, str] = {}
    for error in errors:
        loc = [str(p) for p in error["loc"] if p not in ("body", "query", "path", "form")]
        field = ".".join(loc) or "请求"
        result.setdefault(field, f"{labels.get(field, field)}{chinese_message(error)}")
    return FieldErrors(result)


def parse(model: type[M], data: Mapping[str, Any], labels: Mapping[str, str]) -> M:
    """Validate data into model, raising FieldErrors with Chinese messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_errors(exc.errors(), labels) from exc

"""Possible duplicates of a project's investor, told only as far as the asker may see."""

from sqlmodel import Session

from core.accounts import Role
from enterprises.projects import lead_duplicates
from tests.factories import make_enterprise, make_lead, make_user, valid_code


def test_duplicates_by_credit_code_or_core_name_include_registered_firms(session: Session) -> None:
    owner = make_user(session, Role.promotion, team="招商二组")
    code = valid_code(4242)
    first = make_lead(session, owner, investor_name="广东华盛智能装备有限公司")
    secret = make_lead(
        session, owner, investor_name="另一家公司", investor_credit_code=code, confidential=True
    )
    make_enterprise(session, name="佛山华盛智能装备有限公司")
    other = make_user(session, Role.promotion, team="招商三组")
    found = lead_duplicates.duplicates(
        session=session,
        user=other,
        investor_name="华盛智能装备股份有限公司",
        credit=code,
        exclude=None,
    )
    by_id = {(d.kind, d.id): d for d in found}
    assert by_id[("lead", first.id)].visible
    # The confidential lead is hinted at without its id, name or stage.
    hidden = by_id[("lead", None)]
    assert (
        not hidden.visible
        and hidden.name == lead_duplicates.HIDDEN_CONFIDENTIAL
        and not hidden.detail
    )
    assert secret.id not in {d.id for d in found}
    assert any(d.kind == "enterprise" and "华盛智能装备" in d.name for d in found)

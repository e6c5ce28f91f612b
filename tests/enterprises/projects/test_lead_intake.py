"""Logging a lead with its first contact and first next step in one go, all or nothing."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from chains import service as chain_service
from core import audit
from core.accounts import Role
from core.db import china_today
from core.errors import FieldErrors
from core.validation import parse
from enterprises.projects import followups, lead_contacts, lead_intake
from enterprises.projects.followups import FollowUp
from enterprises.projects.lead_contacts import LeadContact
from enterprises.projects.lead_intake import INTAKE_LABELS, IntakeFields
from enterprises.projects.leads import Lead
from tests.factories import make_user

TODAY = china_today()


def _intake(**values: Any) -> IntakeFields:
    return parse(
        IntakeFields,
        {"name": "电话登记测试项目", "investor_name": "东莞某精密有限公司"} | values,
        INTAKE_LABELS,
    )


def _leads_named(session: Session, name: str) -> int:
    return session.exec(select(func.count()).where(col(Lead.name) == name)).one()


def test_one_submit_logs_the_lead_its_contact_and_next_step(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    due = TODAY + timedelta(days=7)
    data = _intake(
        contact={"name": "王经理", "title": "投资总监", "phone": "139-1234-5678"},
        next_step={
            "kind": "call",
            "notes": "电话沟通，有意在华南设厂",
            "step": "寄送园区资料",
            "due": due,
        },
    )
    made = lead_intake.create(session=session, actor=promoter, data=data)
    lead = made.lead
    assert lead.owner_id == promoter.id
    assert lead.next_step == "寄送园区资料" and lead.next_due == due
    assert lead.last_followup_on == TODAY
    people = lead_contacts.contacts(session=session, lead_id=lead.id or 0)
    assert [(c.name, c.title, c.phone) for c in people] == [("王经理", "投资总监", "139-1234-5678")]
    [entry] = followups.of_lead(session=session, lead_id=lead.id or 0)
    assert entry.notes == "电话沟通，有意在华南设厂" and entry.kind == "call"
    logged = session.exec(
        select(audit.AuditEntry.object_type).where(audit.AuditEntry.actor_id == promoter.id)
    ).all()
    assert sorted(logged) == ["follow_up", "lead", "lead_contact"]


def test_contact_and_step_are_optional(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    made = lead_intake.create(
        session=session, actor=promoter, data=_intake(next_step={"kind": "visit"})
    )
    assert made.contact is None and made.follow_up is None  # a kind alone is no entry
    assert made.lead.next_step == "" and made.lead.last_followup_on is None


def test_a_next_step_alone_is_logged_as_the_call_that_brought_the_lead(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    made = lead_intake.create(
        session=session, actor=promoter, data=_intake(next_step={"step": "约定考察时间"})
    )
    assert made.follow_up is not None and made.follow_up.notes == lead_intake.FIRST_NOTES
    assert made.lead.next_step == "约定考察时间" and made.lead.next_due is None


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"contact": {"name": "王经理", "phone": "139<b>1234"}},
            "contact.phone",
            "联系电话只能包含数字",
        ),
        ({"contact": {"name": "", "phone": "13912345678"}}, "contact.name", "联系人姓名不能为空"),
        ({"contact": {"name": "王" * 41}}, "contact.name", "联系人姓名过长"),
        ({"next_step": {"step": "x" * 201}}, "next_step.step", "下一步过长"),
        ({"next_step": {"due": "明天"}}, "next_step.due", "下一步截止日期日期格式应为"),
    ],
)
def test_bad_parts_are_refused_naming_the_field(
    values: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(FieldErrors) as refused:
        _intake(**values)
    assert refused.value.errors[field].startswith(message)


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"due": TODAY + timedelta(days=3)}, "next_step.step"),  # a date with nothing to do
        ({"step": "回访", "due": TODAY - timedelta(days=1)}, "next_step.due"),
    ],
)
def test_a_step_the_log_would_refuse_leaves_no_lead(
    session: Session, step: dict[str, Any], field: str
) -> None:
    promoter = make_user(session, Role.promotion)
    with pytest.raises(FieldErrors) as refused:
        lead_intake.create(session=session, actor=promoter, data=_intake(next_step=step))
    assert set(refused.value.errors) == {field}
    assert _leads_named(session, "电话登记测试项目") == 0


def test_a_refusal_after_the_lead_was_written_undoes_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing: the follow-up log refuses last, and the lead and contact go with it."""
    promoter = make_user(session, Role.promotion)

    def refuse(**_: Any) -> FollowUp:
        raise FieldErrors({"next_due": "下一步截止日期不能早于跟进日期"})

    monkeypatch.setattr(followups, "log", refuse)
    data = _intake(contact={"name": "李总"}, next_step={"step": "回访"})
    with pytest.raises(FieldErrors) as refused:
        lead_intake.create(session=session, actor=promoter, data=data)
    assert refused.value.errors == {"next_step.due": "下一步截止日期不能早于跟进日期"}
    assert _leads_named(session, "电话登记测试项目") == 0
    assert (
        session.exec(
            select(func.count()).select_from(LeadContact).where(col(LeadContact.name) == "李总")
        ).one()
        == 0
    )


def test_a_segment_of_another_chain_is_refused_with_nothing_written(session: Session) -> None:
    promoter = make_user(session, Role.promotion)
    robotics = chain_service.get_by_code(session=session, code="robotics")
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen")
    segment = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[0]
    data = _intake(chain_id=hydrogen.id, segment_id=segment.id, contact={"name": "张工"})
    with pytest.raises(FieldErrors) as refused:
        lead_intake.create(session=session, actor=promoter, data=data)
    assert "不属于所选产业链" in refused.value.errors["segment_id"]
    assert _leads_named(session, "电话登记测试项目") == 0

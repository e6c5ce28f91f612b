"""The escaping test's control characters: text holding one written straight into the
database, as stored before input refused control characters."""

from sqlalchemy import text as sql
from sqlmodel import Session

from chains import editing
from chains import service as chain_service
from chains.models import SegmentFields, Stream
from core.accounts import User
from core.db import china_today, require_id
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, pipeline
from enterprises.projects import leads
from enterprises.projects.leads import LeadFields
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import EnterpriseCreate
from tests.factories import join_segment
from tests.web.escaping_zone import CHAIN, Zone

STORED = "控制\x01字符"  # as stored before input refused control characters
# As pages and files show it: U+FFFD in its place; the audit log's export writes it out.
SHOWN = ("控制\ufffd字符", "控制\\x01字符")


def plant_control_characters(zone: Zone, session: Session) -> None:
    """Write text holding a control character straight into the database, as if stored before
    input refused it: pages and exports must still answer (with U+FFFD in its place)."""
    admin = session.get(User, zone.users["admin"])
    assert admin is not None
    chain = chain_service.get_by_code(session=session, code=CHAIN)
    segment = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain,
        data=SegmentFields(name="控制字符环节", stream=Stream.downstream),
    )
    firm = enterprise_service.create(
        session=session,
        actor=admin,
        data=EnterpriseCreate(
            name="控制字符有限公司",
            park_id=get_park_by_code(session=session, code="shunde").id,
            annual_output=8e8,
        ),
    )
    join_segment(session, firm, segment)
    pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=require_id(firm),
        designation=designations.get_by_code(session=session, code="gazelle"),
        chain_id=None,
        on=china_today(),
    )
    lead = leads.create(
        session=session,
        actor=admin,
        data=LeadFields(name="控制字符项目", investor_name="控制字符投资有限公司"),
    )
    for name, row in (("segment", segment), ("enterprise", firm), ("lead", lead)):
        session.execute(
            sql(f"UPDATE {name} SET name = :stored WHERE id = :id"),
            {"stored": STORED, "id": row.id},
        )
    session.execute(
        sql("UPDATE audit_entry SET object_label = :stored WHERE object_label = :label"),
        {"stored": STORED, "label": "控制字符有限公司"},
    )
    session.flush()

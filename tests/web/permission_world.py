"""The world the permission tests probe: each role's user, and objects inside ("mine") and
outside ("theirs") its scope, built through the services; plus the app's write routes."""

import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from openpyxl import Workbook
from sqlmodel import Session, col, select

from chainmaps.suggestions import MembershipSuggestion
from chains import service as chain_service
from chains.models import DossierItem, Segment, SegmentLink
from core import audit
from core.accounts import Role, User
from core.orgs import OrgUnit, Park
from enterprises.cultivation import designations, pipeline
from enterprises.projects import carriers, lead_contacts, lead_stages, ledger_import
from enterprises.projects.carriers import CarrierFields
from enterprises.projects.lead_contacts import ContactFields
from enterprises.projects.lead_stages import LeadMoveFields
from enterprises.projects.leads import LeadStage
from enterprises.prospects import imports as prospect_imports
from enterprises.prospects import service as prospect_service
from enterprises.prospects.models import ProspectFields
from enterprises.registry import membership_review
from enterprises.registry.models import MembershipSource
from enterprises.spreadsheets import imports
from plans.targets import Target
from plans.tasks import PlanTask
from tests.factories import (
    join_segment,
    make_enterprise,
    make_lead,
    make_user,
)

ROLES = list(Role)
ADMIN = {Role.admin}
EVERYONE = set(Role)


@dataclass
class World:
    """Objects inside ("mine") and outside ("theirs") each role's scope."""

    users: dict[Role, User]
    ids: dict[str, dict[str, Any]]  # name -> {"mine": ..., "theirs": ...}

    def of(self, name: str, side: str) -> Any:
        return self.ids[name][side]


def xlsx_list() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["企业名称", "所属园区"])
    sheet.append(["佛山市矩阵测试有限公司", "顺德园"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_world(session: Session) -> World:
    users = {role: make_user(session, role) for role in ROLES}
    other_promoter = make_user(session, Role.promotion, team="另一小组")
    robotics = chain_service.get_by_code(session=session, code="robotics")
    other = next(c for c in chain_service.get_all(session=session) if c.code != "robotics")
    firms = {
        "mine": make_enterprise(session, park="shunde", name="佛山市矩阵本园有限公司"),
        "theirs": make_enterprise(session, park="nanhai", name="佛山市矩阵他园有限公司"),
    }
    gazelle = designations.get_by_code(session=session, code="gazelle")
    admin = users[Role.admin]
    growing = {
        side: pipeline.start(
            session=session,
            actor=admin,
            enterprise_id=firm.id or 0,
            designation=gazelle,
            chain_id=None,
            on=date(2026, 1, 5),
        )
        for side, firm in firms.items()
    }
    lead_of = {
        "mine": make_lead(
            session, users[Role.promotion], name="矩阵本人项目", park_id=firms["mine"].park_id
        ),
        "theirs": make_lead(session, other_promoter, name="矩阵他人项目"),
    }
    move_of = {
        side: lead_stages.move(
            session=session, actor=admin, lead=lead, data=LeadMoveFields(to_stage=LeadStage.contact)
        )
        for side, lead in lead_of.items()
    }
    contact_of = {
        side: lead_contacts.add_contact(
            session=session,
            actor=admin,
            lead=lead,
            data=ContactFields(name="联系人", phone="13800001111"),
        )
        for side, lead in lead_of.items()
    }
    carrier_of = {
        side: carriers.create(
            session=session,
            actor=admin,
            data=CarrierFields(
                park_id=firm.park_id or 0,
                name=f"矩阵载体{side}",
                total_area=1000,
                available_area=500,
            ),
        )
        for side, firm in firms.items()
    }
    batch_of = {
        side: imports.stage(
            session=session,
            actor=user,
            filename="矩阵.xlsx",
            content=xlsx_list(),
            designation_id=None,
        )
        for side, user in (("mine", users[Role.park_bureau]), ("theirs", admin))
    }
    # The target library has no scope: both sides are anyone's (kept by promotion and admins).
    prospect_of = {
        side: prospect_service.create(
            session=session, actor=admin, data=ProspectFields(name=f"矩阵目标{side}有限公司")
        )
        for side in ("mine", "theirs")
    }
    prospect_batch_of = {
        side: prospect_imports.stage(
            session=session, actor=admin, filename="矩阵目标.xlsx", content=xlsx_list()
        )
        for side in ("mine", "theirs")
    }
    ledger_of = {
        side: ledger_import.stage(
            session=session, actor=user, filename="矩阵台账.xlsx", content=xlsx_list()
        )
        for side, user in (("mine", users[Role.promotion]), ("theirs", other_promoter))
    }
    chain_of = {"mine": robotics, "theirs": other}
    for side, chain in chain_of.items():
        first = session.exec(
            select(Segment).where(Segment.chain_id == chain.id).order_by(col(Segment.id))
        ).first()
        assert first is not None
        join_segment(session, firms[side], first)

    def segments(chain_id: int) -> list[Segment]:
        return list(
            session.exec(
                select(Segment).where(Segment.chain_id == chain_id).order_by(col(Segment.id))
            )
        )

    def link(chain_id: int) -> SegmentLink:
        ids = [s.id for s in segments(chain_id)]
        return session.exec(select(SegmentLink).where(col(SegmentLink.source_id).in_(ids))).first()  # type: ignore[return-value]

    def dossier(chain_id: int) -> DossierItem:
        found = session.exec(select(DossierItem).where(DossierItem.chain_id == chain_id)).first()
        assert found is not None, "the seed gives every chain dossier items"
        return found

    # A firm waiting for the chief's review in each chain (确认 / 移出).
    review_of = {
        side: membership_review.enter(
            session=session,
            actor=admin,
            enterprise=firms[side],
            segment_id=segments(chain.id or 0)[1].id or 0,
            source=MembershipSource.edit,
            note="矩阵待确认",
        )
        for side, chain in chain_of.items()
    }
    target = session.exec(select(Target)).first()
    assert target is not None

    # The park bureau's account belongs to 市财政局, a lead unit of task 七(三) only.
    def suggestion(side: str) -> MembershipSuggestion:
        """A suggested place of the side's firm in the side's chain, for its chief's review."""
        chain = chain_of[side]
        found = MembershipSuggestion(
            enterprise_id=firms[side].id or 0,
            segment_id=segments(chain.id or 0)[0].id or 0,
            chain_id=chain.id or 0,
            score=0.85,
            words=["矩阵词"],
        )
        session.add(found)
        session.flush()
        return found

    finance = session.exec(select(OrgUnit).where(OrgUnit.code == "city-finance")).one()
    users[Role.park_bureau].unit_id = finance.id
    session.add(users[Role.park_bureau])
    task_of = {
        side: session.exec(select(PlanTask).where(PlanTask.code == code)).one()
        for side, code in (("mine", "003-task-17"), ("theirs", "003-task-01"))
    }
    ids: dict[str, dict[str, Any]] = {
        "chain": {s: c.code for s, c in chain_of.items()},
        "segment": {s: segments(c.id or 0)[0].id for s, c in chain_of.items()},
        "segment2": {s: segments(c.id or 0)[1].id for s, c in chain_of.items()},
        "link_source": {s: link(c.id or 0).source_id for s, c in chain_of.items()},
        "link_target": {s: link(c.id or 0).target_id for s, c in chain_of.items()},
        "dossier": {s: dossier(c.id or 0).id for s, c in chain_of.items()},
        "firm": {s: f.id for s, f in firms.items()},
        "firm_version": {s: f.version for s, f in firms.items()},
        "park": {s: f.park_id for s, f in firms.items()},
        "park_code": {s: session.get_one(Park, f.park_id).code for s, f in firms.items()},
        "cultivation": {s: c.id for s, c in growing.items()},
        "lead": {s: lead.id for s, lead in lead_of.items()},
        "lead_version": {s: lead.version for s, lead in lead_of.items()},
        "contact": {s: c.id for s, c in contact_of.items()},
        "move": {s: m.id for s, m in move_of.items()},
        "entry": {  # an audit entry that records a phone
            s: audit.history(session=session, object_type="lead_contact", object_id=c.id or 0)[0].id
            for s, c in contact_of.items()
        },
        "carrier": {s: c.id for s, c in carrier_of.items()},
        "batch": {s: b.id for s, b in batch_of.items()},
        "prospect": {s: p.id for s, p in prospect_of.items()},
        "prospect_batch": {s: b.id for s, b in prospect_batch_of.items()},
        "suggestion": {s: suggestion(s).id for s in ("mine", "theirs")},
        "ledger": {s: b.id for s, b in ledger_of.items()},
        "target": {s: target.code for s in ("mine", "theirs")},
        "task": {s: t.id for s, t in task_of.items()},
        "task_version": {s: t.version for s, t in task_of.items()},
        "unit": {s: finance.id for s in ("mine", "theirs")},
        "user": {"mine": users[Role.viewer].id, "theirs": users[Role.viewer].id},
        "designation": {"mine": "gazelle", "theirs": "gazelle"},
        "plan": {s: target.plan_id for s in ("mine", "theirs")},
        "membership": {s: m.id for s, m in review_of.items()},
    }
    session.flush()
    return World(users, ids)


def write_routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
                continue
            for method in getattr(route, "methods", set()) & {"POST", "PUT", "PATCH", "DELETE"}:
                found.add((method, (prefix + route.path).replace(":int}", "}")))

    walk(app.routes, "")
    return found


def normal(path: str) -> str:
    """/api/v1/leads/{lead} and /api/v1/leads/{lead_id} name the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path)

"""The escaping test's world: markup and quotes planted in every user-editable text (those of
projects in escaping_projects); control characters are written in escaping_control."""

import io
import itertools
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, select

from chainmaps.suggestions import MembershipSuggestion
from chains import dossier, editing
from chains import service as chain_service
from chains.models import DossierItemFields, DossierKind, SegmentFields, Stream
from chains.segment_words import seed_words
from core.accounts import Role, create_user, get_or_create_team
from core.db import china_today, require_id
from core.orgs import get_park_by_code
from enterprises.cultivation import designations, pipeline
from enterprises.cultivation.designations import DesignationFields
from enterprises.projects import ledger_import
from enterprises.prospects import imports as prospect_imports
from enterprises.prospects import service as prospect_service
from enterprises.prospects.models import ProspectFields
from enterprises.registry import membership_review
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import EnterpriseCreate, MembershipSource
from enterprises.spreadsheets import imports
from plans import plan_writing, targets
from plans import tasks as plan_tasks
from plans.plan_writing import PlanFields, TargetFields
from plans.targets import ReportFields, Target, TargetKind
from plans.tasks import PlanTask, ProgressFields, TaskStatus
from tests.factories import commit_import, join_segment, valid_code
from tests.web.escaping_projects import plant_projects

CHAIN = "robotics"
# What an attacker types: an element carrying htmx attributes (the admin-maker of issue 17),
# a script, a quote breaking out of an attribute, a template expression, a closing textarea.
PIECES = (
    '"><g hx-post=/users hx-trigger=load><g>',
    "<script>alert(1)</script>",
    "' onmouseover='x",
    "{{7*7}}</textarea>",
)
_tags = (chr(c) for c in itertools.count(0x4E00))  # one distinct character per planted text


def payload(limit: int) -> str:
    """A distinct attack fitting a field of `limit` characters: a tag, then what pieces fit."""
    text = next(_tags)
    for piece in PIECES:
        if len(text) + len(piece) <= limit:
            text += piece
    return text


@dataclass
class Zone:
    """The scratch database, who looks at it, and what was planted where."""

    url: str
    users: dict[str, int] = field(default_factory=dict)  # viewer name -> user id
    ids: dict[str, Any] = field(default_factory=dict)
    planted: dict[str, str] = field(default_factory=dict)  # where -> the text planted there


def plant_markup(zone: Zone, session: Session) -> None:
    """Plant an attack in every user-editable text, through the services."""
    p = zone.planted

    def plant(where: str, limit: int) -> str:
        p[where] = payload(limit)
        return p[where]

    team = get_or_create_team(session=session, name=plant("team name", 60))
    admin = create_user(
        session=session,
        username=plant("username", 60),
        password="Escape@2026cp",
        role=Role.admin,
        display_name=plant("user display name", 60),
    )
    promoter = create_user(
        session=session,
        username="escape-promoter",
        password="Escape@2026cp",
        role=Role.promotion,
        display_name=plant("promoter display name", 60),
        team_id=require_id(team),
    )
    zone.users = {"admin": require_id(admin), "promoter": require_id(promoter)}
    chain = chain_service.get_by_code(session=session, code=CHAIN)
    segment = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain,
        data=SegmentFields(
            name=plant("segment name", 60),
            stream=Stream.midstream,
            technology=plant("segment technology", 40),
            description=plant("segment description", 1000),
        ),
    )
    editing.set_choke_point(
        session=session,
        actor=admin,
        chain=chain,
        segment=segment,
        flag=True,
        note=plant("choke-point note", 500),
    )
    # A segment of another chain with the same technology: its panel lists the first as a peer.
    peer = editing.create_segment(
        session=session,
        actor=admin,
        chain=chain_service.get_by_code(session=session, code="smart-appliances"),
        data=SegmentFields(
            name="转义测试环节", stream=Stream.upstream, technology=p["segment technology"]
        ),
    )
    item = dossier.create(
        session=session,
        actor=admin,
        chain=chain,
        data=DossierItemFields(
            kind=DossierKind.project,
            name=plant("dossier name", 120),
            issuer=plant("dossier issuer", 120),
            summary=plant("dossier summary", 2000),
            url="https://example.org/" + plant("dossier url", 400),
        ),
    )
    shunde = get_park_by_code(session=session, code="shunde")
    firm = enterprise_service.create(
        session=session,
        actor=admin,
        data=EnterpriseCreate(
            name=plant("firm name", 100),
            credit_code=valid_code(990001),
            park_id=shunde.id,
            district=plant("firm district", 40),
            address=plant("firm address", 200),
            main_products=plant("firm products", 500),
            contact_person=plant("firm contact", 40),
            contact_phone=plant("firm phone", 40),
            annual_output=9e8,  # first in the registry's list
            above_size=True,
        ),
    )
    join_segment(session, firm, segment)
    other_segment = chain_service.segments_of(session=session, chain_id=require_id(chain))[0]
    session.add(  # a suggested place for the chief's review
        MembershipSuggestion(
            enterprise_id=require_id(firm),
            segment_id=require_id(other_segment),
            chain_id=require_id(chain),
            score=0.9,
            words=["转义"],
        )
    )
    # The same firm waiting for the chief's review in another segment, with a note.
    membership_review.enter(
        session=session,
        actor=admin,
        enterprise=firm,
        segment_id=require_id(chain_service.segments_of(session=session, chain_id=chain.id)[0]),
        source=MembershipSource.edit,
        note=plant("membership note", 200),
    )
    designation = designations.create(
        session=session,
        actor=admin,
        code="escape-test",
        data=DesignationFields(
            name=plant("designation name", 60), description=plant("designation description", 1000)
        ),
    )
    designations.add_tier(
        session=session,
        actor=admin,
        designation=designation,
        code="t1",
        name=plant("tier name", 40),
    )
    cultivation = pipeline.start(
        session=session,
        actor=admin,
        enterprise_id=require_id(firm),
        designation=designation,
        chain_id=None,
        on=china_today(),
        note=plant("cultivation note", 1000),
    )
    lead, carrier = plant_projects(
        session, plant, admin=admin, promoter=promoter, chain=chain, segment=segment, shunde=shunde
    )
    seed_words(session=session, segment=segment, words=[plant("segment word", 30)])
    prospect = prospect_service.create(
        session=session,
        actor=admin,
        data=ProspectFields(
            name=plant("prospect name", 100),
            city=plant("prospect city", 30),
            products=plant("prospect products", 1950)
            + p["segment word"],  # a target of the segment
            source_list=plant("prospect source list", 100),
            tags=plant("prospect tags", 200),
            note=plant("prospect note", 1000),
        ),
    )
    prospect_pending = prospect_imports.stage(
        session=session,
        actor=admin,
        filename="转义测试目标名单.xlsx",
        content=_workbook(
            ["企业名称", "主营产品"], [plant("prospect import cell", 100), "伺服电机"]
        ),
    )
    target = session.exec(select(Target).where(Target.kind == TargetKind.reported)).first()
    assert target is not None, "the seeded plans have reported targets"
    targets.report(
        session=session,
        actor=admin,
        target=target,
        data=ReportFields(
            value=1,
            as_of=china_today(),
            source=plant("target report source", 300),
            evidence_url="https://example.org/" + plant("target report evidence", 400),
        ),
    )
    plan = plan_writing.create(
        session=session,
        actor=admin,
        data=PlanFields(
            name=plant("plan name", 200),
            issuer=plant("plan issuer", 200),
            period_start_year=china_today().year,
            period_end_year=china_today().year + 2,
            source_text=plant("plan source text", 2000),
        ),
    )
    plan_writing.add_target(
        session=session,
        actor=admin,
        plan=plan,
        data=TargetFields(
            name=plant("plan target name", 200),
            unit="家",
            target_value=10,
            headline=True,
        ),
    )
    task = session.exec(select(PlanTask).where(PlanTask.code == "003-task-01")).one()
    plan_tasks.report(
        session=session,
        actor=admin,
        task=task,
        data=ProgressFields(
            on=china_today(),
            text=plant("task progress report", 1000),
            status=TaskStatus.in_progress,
        ),
        today=china_today(),
    )
    committed = imports.stage(
        session=session,
        actor=admin,
        filename=plant("import filename", 190) + ".xlsx",
        content=_workbook(
            ["企业名称", "所属园区", "地址", "主营产品"],
            [
                plant("import name cell", 100),
                "顺德园",
                plant("import address cell", 200),
                plant("import products cell", 500),
            ],
        ),
        designation_id=None,
    )
    commit_import(session, admin, committed, None)
    pending = imports.stage(
        session=session,
        actor=admin,
        filename="转义测试待导入.xlsx",
        content=_workbook(
            ["企业名称", "所属园区", "地址"],
            [plant("import name cell, preview", 100), "顺德园", "佛山"],
            [p["firm name"], "顺德园", plant("import address cell, preview", 200)],  # an update
        ),
        designation_id=None,
    )
    refused = imports.stage(
        session=session,
        actor=admin,
        filename="转义测试名单.xlsx",
        content=_workbook(
            ["企业名称", "所属园区"], [plant("import cell in an error", 100), p["firm name"]]
        ),
        designation_id=None,
    )
    ledger = ledger_import.stage(
        session=session,
        actor=admin,
        filename=plant("ledger filename", 190) + ".xlsx",
        content=_workbook(
            ["项目名称", "投资方", "登记日期"],
            [plant("ledger project cell", 100), plant("ledger investor cell", 100), "2024-01-05"],
        ),
    )
    zone.ids = {
        "ledger": require_id(ledger),
        "segment": require_id(segment),
        "peer": require_id(peer),
        "pending": require_id(pending),
        "item": require_id(item),
        "firm": require_id(firm),
        "cultivation": require_id(cultivation),
        "lead": require_id(lead),
        "carrier": require_id(carrier),
        "prospect": require_id(prospect),
        "prospect_pending": require_id(prospect_pending),
        "committed": require_id(committed),
        "refused": require_id(refused),
    }
    zone.ids["target"] = target.code
    zone.ids["task"] = require_id(task)
    zone.ids["plan"] = require_id(plan)


def _workbook(headers: list[str], *rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

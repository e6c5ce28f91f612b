"""Target firms and segments with words, built through the services."""

import itertools
from typing import Any

from sqlmodel import Session

from chains.models import Segment, Stream
from chains.segment_words import seed_words
from core.accounts import User
from enterprises.prospects import service
from enterprises.prospects.models import Prospect, ProspectFields
from enterprises.registry import credit_code
from tests.factories import make_chain

_serial = itertools.count(1)


def prospect_code(seed: int) -> str:
    """A valid credit code no other test uses."""
    return credit_code.build("91", "320500", f"P{seed:07d}")


def make_prospect(session: Session, actor: User, **values: Any) -> Prospect:
    """A target firm through the service; values override the defaults."""
    n = next(_serial)
    data = ProspectFields(
        **{"name": f"苏州目标{n}科技有限公司", "province": "江苏省", "city": "苏州市"} | values
    )
    return service.create(session=session, actor=actor, data=data)


def worded_chain(session: Session, actor: User) -> dict[str, Segment]:
    """A chain of three segments, each with its words."""
    _chain, made = make_chain(
        session,
        [
            ("精密减速器", Stream.upstream),
            ("伺服系统", Stream.upstream),
            ("协作机器人", Stream.midstream),
        ],
        actor=actor,
    )
    seed_words(
        session=session, segment=made["精密减速器"], words=["精密减速器", "RV减速器", "谐波减速器"]
    )
    seed_words(session=session, segment=made["伺服系统"], words=["伺服电机", "伺服驱动器"])
    seed_words(session=session, segment=made["协作机器人"], words=["协作机器人", "协作臂"])
    session.flush()
    return made

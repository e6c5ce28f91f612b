"""A segment's words: with its name, what a firm's products are matched against.

Seeds derive them from the plan's text for the segment (its name and the plan's phrases); the
chain chief edits them (source 'chief'). chains.matching reads them. An edit claims the
segment's version, so two chiefs editing one segment's words at once cannot both win.
"""

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from chains.editing import mark_curated
from chains.models import Chain, Segment
from core import audit, locking
from core.accounts import User
from core.db import enum_column, require_id
from core.errors import FieldErrors
from core.text import control_problem

WORD_MAX = 30
WORDS_MAX = 40  # per segment: more say nothing precise any more


class WordSource(StrEnum):
    """Where a word came from: derived from the plan by the seeds, or typed by the chief."""

    plan = "plan"
    chief = "chief"


SOURCE_LABELS = {WordSource.plan: "方案", WordSource.chief: "链长"}


class SegmentWord(SQLModel, table=True):
    """One word of a segment."""

    __tablename__ = "segment_word"
    __table_args__ = (UniqueConstraint("segment_id", "word"),)

    id: int | None = Field(default=None, primary_key=True)
    segment_id: int = Field(foreign_key="segment.id", index=True, ondelete="CASCADE")
    word: str = Field(max_length=WORD_MAX)
    source: WordSource = Field(sa_type=enum_column(WordSource, 10))


# Joiners inside a segment's name: 数控系统与伺服驱动 names two things.
_SPLIT = re.compile(r"[、，,;；/与和及（）()\s]+|等")
# Generic heads: 陶瓷机械 is also said 陶瓷设备, 陶瓷压机; the stem (陶瓷) carries the meaning.
_HEADS = ("设备", "机械", "装备", "装置", "系统", "器件", "产品", "材料", "服务", "应用")


def derive_words(name: str, phrases: Sequence[str] = ()) -> list[str]:
    """Words for a segment from its name and the plan's phrases for it, most specific first.

    The name's parts are words (射频识别（RFID） → 射频识别, RFID), and so is each part's stem
    once a generic head is taken off (压铸设备 → 压铸) when at least two characters remain.
    """
    words: list[str] = []
    for text in [name, *phrases]:
        for part in _SPLIT.split(text):
            part = part.strip()
            if len(part) < 2:
                continue
            words.append(part)
            for head in _HEADS:
                stem = part.removesuffix(head)
                if stem != part and len(stem) >= 2:
                    words.append(stem)
    return list(dict.fromkeys(w[:WORD_MAX] for w in words))


def words_of(*, session: Session, segment_ids: Iterable[int]) -> dict[int, list[SegmentWord]]:
    """The words of the given segments, in the order they were entered."""
    ids = list(segment_ids)
    result: dict[int, list[SegmentWord]] = {i: [] for i in ids}
    if not ids:
        return result
    stmt = (
        select(SegmentWord)
        .where(col(SegmentWord.segment_id).in_(ids))
        .order_by(col(SegmentWord.id))
    )
    for row in session.exec(stmt):
        result[row.segment_id].append(row)
    return result


def parse_words(text: str) -> list[str]:
    """Words typed by a chief, one a line or separated by 、 , ; — checked, duplicates dropped."""
    words = [w.strip() for w in re.split(r"[\n\r、，,;；]+", text)]
    words = list(dict.fromkeys(w for w in words if w))
    for word in words:
        if problem := control_problem(word):
            raise FieldErrors({"words": f"关键词“{word[:10]}”{problem}"})
        if len(word) > WORD_MAX:
            raise FieldErrors({"words": f"关键词“{word[:10]}…”超过 {WORD_MAX} 个字"})
        if len(word) < 2:
            raise FieldErrors({"words": f"关键词“{word}”太短：至少 2 个字，单字会匹配过多企业"})
    if len(words) > WORDS_MAX:
        raise FieldErrors({"words": f"每个环节最多 {WORDS_MAX} 个关键词，当前 {len(words)} 个"})
    return words


def set_words(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    segment: Segment,
    words: Sequence[str],
    version: int | None = None,
) -> bool:
    """Make the segment's words exactly `words` (a chief's edit); return whether they changed.

    Kept words keep their source; new ones are the chief's. The segment's version moves with a
    change, so a stale form is refused (Conflict) and the chain's figures are not disturbed
    otherwise.
    """
    label = f"环节“{segment.name}”的关键词"
    locking.claim(session, segment, version, label=label)
    existing = words_of(session=session, segment_ids=[require_id(segment)])[segment.id or 0]
    before = [w.word for w in existing]
    wanted = list(dict.fromkeys(words))
    if before == wanted or sorted(before) == sorted(wanted):
        return False
    keep = set(wanted)
    for row in existing:
        if row.word not in keep:
            session.delete(row)
    have = set(before)
    for word in wanted:
        if word not in have:
            session.add(
                SegmentWord(segment_id=require_id(segment), word=word, source=WordSource.chief)
            )
    mark_curated(chain)  # seeds leave the chain's words alone from now on
    segment.version += 1  # claimed above: the words are part of what a stale form may not undo
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        obj=segment,
        label=f"{chain.name}/{segment.name}",
        before={"words": before},
        after={"words": wanted},
    )
    return True


def seed_words(*, session: Session, segment: Segment, words: Sequence[str]) -> int:
    """Add the plan's words a segment lacks (seeding: never removes, never touches chief words).

    Return how many were added.
    """
    have = {
        w.word
        for w in words_of(session=session, segment_ids=[require_id(segment)])[require_id(segment)]
    }
    added = [w for w in dict.fromkeys(words) if w not in have]
    for word in added:
        session.add(SegmentWord(segment_id=require_id(segment), word=word, source=WordSource.plan))
    return len(added)

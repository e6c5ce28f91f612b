"""Every quoted fragment of the seeds occurs verbatim in its source document.

The source texts live beside the repository (../shared/source-docs); the test reads them and
normalises whitespace only, so a changed comma, a dropped gloss or a paraphrase fails.
"""

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core import provenance
from core.provenance import Basis
from plans.targets import Plan, Target, TargetForm
from plans.tasks import PlanTask

SOURCES = next(
    (p / "shared" / "source-docs" for p in Path(__file__).parents if (p / "shared").is_dir()),
    None,
)
pytestmark = pytest.mark.skipif(SOURCES is None, reason="the plans' source texts are not here")


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts() -> dict[str, str]:
    assert SOURCES is not None
    return {
        path.name[:3]: _plain(path.read_text(encoding="utf-8")) for path in SOURCES.glob("*.txt")
    }


def test_every_quoted_fragment_occurs_verbatim_in_its_document(session: Session) -> None:
    texts = _texts()
    quoted = provenance.all_quoted(session=session)
    assert len(quoted) > 300  # targets, units, tasks, segments, firms, memberships, dossier
    assert {"target", "plan_task", "landmark_item"} <= {p.object_type for p in quoted}
    missing = [
        f"{p.object_type} {p.object_id}: {p.quote}"
        for p in quoted
        if not p.quote or _plain(p.quote) not in texts[p.document]
    ]
    assert missing == []


def test_the_quotation_check_can_fail(session: Session) -> None:
    texts = _texts()
    assert _plain("到2023年，高新技术企业数量达到3800家") not in texts["003"]  # full-width comma
    assert _plain("到2023年,高新技术企业数量达到3800家") in texts["003"]


def test_every_target_and_task_quotes_its_plan(session: Session) -> None:
    texts = _texts()
    plans = {p.id: p.code for p in session.exec(select(Plan))}
    for target in session.exec(select(Target)):
        assert _plain(target.quote) in texts[plans[target.plan_id]], target.code
        # A fragment cut at a comma the data file left unquoted (YAML flow style) is short.
        assert len(target.quote) >= 8, f"{target.code}: {target.quote}"
        stated = provenance.one(session=session, object_type="target", object_id=target.id or 0)
        assert stated is not None and stated.basis == Basis.plan, target.code
    tasks = session.exec(select(PlanTask)).all()
    assert len(tasks) == 20
    for task in tasks:
        stated = provenance.one(session=session, object_type="plan_task", object_id=task.id or 0)
        assert stated is not None and _plain(stated.quote) in texts["003"], task.code


def test_what_the_plans_do_not_say_is_marked_inferred(session: Session) -> None:
    links = provenance.of(session=session, object_type="segment_link")
    assert len(links) >= 170 and {p.basis for p in links.values()} == {Basis.inferred}
    tags = provenance.of(session=session, object_type="segment_technology")
    assert tags and {p.basis for p in tags.values()} == {Basis.inferred}
    parks = provenance.of(session=session, object_type="enterprise_park")
    assert parks and {p.basis for p in parks.values()} == {Basis.inferred}
    members = provenance.of(session=session, object_type="membership")
    assert {p.basis for p in members.values()} == {Basis.plan, Basis.inferred}


def test_the_issue_s_missing_targets_are_held_in_their_forms(session: Session) -> None:
    by_code = {t.code: t for t in session.exec(select(Target))}
    assert by_code["002-doubling"].form == TargetForm.relative
    assert by_code["002-doubling"].target_value == 2
    assert by_code["002-centre-2035"].form == TargetForm.milestone
    assert by_code["002-centre-2035"].deadline.year == 2035
    assert by_code["002-guidance-fund"].target_value == 50
    assert by_code["003-national-labs"].form == TargetForm.range
    assert (
        by_code["003-national-labs"].target_value,
        by_code["003-national-labs"].target_high,
    ) == (1, 2)
    assert by_code["003-corporate-universities"].comparator == "approx"
    assert by_code["000-pm25"].comparator == "le"
    assert not [t.code for t in by_code.values() if t.code.startswith("003") and not t.lead_units]
    assert "财政局" in by_code["003-high-growth"].cooperating_units

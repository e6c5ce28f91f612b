"""Load the plan's reference data (parks, units, landmarks, carriers, chains) idempotently."""

from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from chains.models import Chain, ChainUnit, DossierItem, Segment, SegmentLink, UnitRole
from chains.segment_words import derive_words, seed_words
from core.db import require_id
from core.orgs import Landmark, LandmarkItem, LandmarkItemKind, LandmarkUnit, OrgUnit, Park
from core.upsert import upsert
from enterprises.cultivation.designations import Criterion, Designation, DesignationFields, Tier
from enterprises.projects.carriers import Carrier
from enterprises.registry.models import Enterprise, EnterpriseKind, MemberRole, Membership, Origin
from plans.targets import Comparator, Plan, Target, TargetForm, TargetKind
from seeds import basis, tasks
from seeds.basis import Bases
from seeds.unit_lists import UNITS

DATA = Path(__file__).parent / "data"


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _parks(session: Session) -> dict[str, int]:
    ids = {}
    for row in _read(DATA / "parks.yaml"):
        park, _ = upsert(session=session, model=Park, key={"code": row.pop("code")}, values=row)
        ids[park.code] = require_id(park)
    return ids


def _units(session: Session, parks: dict[str, int], bases: Bases) -> dict[str, int]:
    ids = {}
    for position, row in enumerate(UNITS):
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "park_id": parks.get(row.get("park", "")),
            "description": row.get("description", ""),
            "position": position,
        }
        unit, _ = upsert(session=session, model=OrgUnit, key={"code": row["code"]}, values=values)
        ids[unit.code] = require_id(unit)
        bases.add("org_unit", unit.id, basis.of_row(dict(row)))
    return ids


def _landmarks(
    session: Session, parks: dict[str, int], units: dict[str, int], bases: Bases
) -> None:
    for position, row in enumerate(_read(DATA / "landmarks.yaml")):
        values = {
            "name": row["name"],
            "park_id": parks[row["park"]],
            "goal": row["goal"],
            "position": position,
        }
        landmark, _ = upsert(
            session=session, model=Landmark, key={"code": row["code"]}, values=values
        )
        for role in ("lead", "cooperating"):
            for order, code in enumerate(row[role]):
                upsert(
                    session=session,
                    model=LandmarkUnit,
                    key={"landmark_id": landmark.id, "unit_id": units[code]},
                    values={"role": role, "position": order},
                )
        for order, item in enumerate(row["items"]):
            entry, _ = upsert(
                session=session,
                model=LandmarkItem,
                key={"landmark_id": landmark.id, "name": item["name"]},
                values={
                    "kind": LandmarkItemKind(item["kind"]),
                    "description": item.get("description", ""),
                    "position": order,
                },
            )
            bases.add("landmark_item", entry.id, basis.of_row(item))


def _chain(
    session: Session,
    row: dict[str, Any],
    parks: dict[str, int],
    units: dict[str, int],
    bases: Bases,
) -> None:
    values = {k: row[k] for k in ("name", "group", "description", "position")}
    chain, _ = upsert(session=session, model=Chain, key={"code": row["code"]}, values=values)
    for role, codes in ((UnitRole.lead, row["lead"]), (UnitRole.cooperating, row["cooperating"])):
        for order, code in enumerate(codes):
            upsert(
                session=session,
                model=ChainUnit,
                key={"chain_id": chain.id, "unit_id": units[code]},
                values={"role": role, "position": order},
            )
    bases.add("chain", chain.id, basis.of_row(row))
    if chain.curated_at is None:
        _map(session, chain, row, parks, bases)
        items = row.get("dossier", []) + _read(DATA / "dossier-common.yaml")
        _dossier(session, chain, items, bases)


def _map(
    session: Session, chain: Chain, row: dict[str, Any], parks: dict[str, int], bases: Bases
) -> None:
    """Load a chain's segments, links and named firms; skipped once people maintain the map.

    What the plan names (segments marked `plan`, firms with a quote, memberships it states)
    rests on the chain's paragraph; links, streams of added segments, technology tags and
    the rest are the editor's inference.
    """
    segments: dict[str, int] = {}
    for order, seg in enumerate(row["segments"]):
        values = {
            "name": seg["name"],
            "stream": seg["stream"],
            "from_plan": bool(seg.get("plan")),
            "technology": seg.get("tech"),
            "position": order,
        }
        segment, _ = upsert(
            session=session,
            model=Segment,
            key={"chain_id": chain.id, "code": seg["code"]},
            values=values,
        )
        segments[seg["code"]] = require_id(segment)
        # The segment's words for matching firms' products (按图招商): its name's parts and
        # stems, its technology and any phrases the plan uses for it (`words`).
        phrases = [seg["tech"]] if seg.get("tech") else []
        seed_words(
            session=session,
            segment=segment,
            words=derive_words(seg["name"], [*phrases, *seg.get("words", [])]),
        )
        stated = basis.of_row(row) if seg.get("plan") else basis.inferred()
        bases.add("segment", segment.id, stated)
        if seg.get("tech"):
            bases.add("segment_technology", segment.id, basis.inferred())
    for source, target in row["links"]:
        upsert(
            session=session,
            model=SegmentLink,
            key={"source_id": segments[source], "target_id": segments[target]},
            values={"chain_id": chain.id},
        )
        bases.add("segment_link", f"{segments[source]},{segments[target]}", basis.inferred())
    for firm in row["firms"]:
        _named_firm(session, firm, parks, segments, row.get("section", ""), bases)


def _dossier(session: Session, chain: Chain, items: list[dict[str, Any]], bases: Bases) -> None:
    for order, item in enumerate(items):
        values = {k: item.get(k, "") for k in ("issuer", "summary", "url")}
        values |= {"issued_date": item.get("issued_date"), "position": order}
        entry, _ = upsert(
            session=session,
            model=DossierItem,
            key={"chain_id": chain.id, "kind": item["kind"], "name": item["name"]},
            values=values,
        )
        bases.add("dossier_item", entry.id, basis.of_row(item))


def _named_firm(
    session: Session,
    firm: dict[str, Any],
    parks: dict[str, int],
    segments: dict[str, int],
    section: str,
    bases: Bases,
) -> None:
    park_code = firm.get("park")
    values = {
        "kind": firm.get("kind", EnterpriseKind.enterprise),
        "park_id": parks[park_code] if park_code else None,
        "origin": Origin.plan,
    }
    enterprise, _ = upsert(
        session=session, model=Enterprise, key={"name": firm["name"]}, values=values
    )
    bases.add("enterprise", enterprise.id, basis.of_row(firm, section=section))
    if park_code:
        bases.add("enterprise_park", enterprise.id, basis.inferred("编辑按企业注册地推断，待核实"))
    stated = firm.get("stated", [])
    for code in firm["segments"]:
        upsert(
            session=session,
            model=Membership,
            key={"enterprise_id": enterprise.id, "segment_id": segments[code]},
            values={"role": firm.get("role", MemberRole.key)},
        )
        said = basis.quoted(basis.PLAN, section, firm["stated_quote"]) if code in stated else None
        bases.add("membership", f"{enterprise.id},{segments[code]}", said or basis.inferred())


def _designations(session: Session) -> None:
    """Create the designations that do not exist yet; existing ones belong to the admin."""
    for position, row in enumerate(_read(DATA / "designations.yaml")):
        if session.exec(select(Designation.id).where(Designation.code == row["code"])).first():
            continue
        values = {k: row[k] for k in DesignationFields.model_fields if k in row}
        designation, _ = upsert(
            session=session,
            model=Designation,
            key={"code": row["code"]},
            values=values | {"position": position},
        )
        for rank, (code, name) in enumerate(row.get("tiers", []), start=1):
            upsert(
                session=session,
                model=Tier,
                key={"designation_id": designation.id, "code": code},
                values={"name": name, "rank": rank},
            )
        for metric, value in row.get("criteria", {}).items():
            upsert(
                session=session,
                model=Criterion,
                key={"designation_id": designation.id, "metric": metric},
                values={"value": value},
            )


def _carriers(session: Session, parks: dict[str, int]) -> None:
    landmarks = {m.code: m.id for m in session.exec(select(Landmark))}
    for row in _read(DATA / "carriers.yaml"):
        if session.exec(select(Carrier.id).where(Carrier.name == row["name"])).first():
            continue
        values = {k: v for k, v in row.items() if k not in ("park", "landmark")}
        session.add(
            Carrier(**values, park_id=parks[row["park"]], landmark_id=landmarks[row["landmark"]])
        )
    session.flush()


def _plans(session: Session, bases: Bases) -> None:
    added: list[tuple[Target, dict[str, Any]]] = []
    for position, path in enumerate(sorted((DATA / "plans").glob("*.yaml"))):
        row = _read(path)
        values = {
            "name": row["name"],
            "issuer": row.get("issuer", ""),
            "document_number": row.get("document_number", ""),
            "issued_on": row.get("issued_on"),
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "source": row.get("source", ""),
            "position": row.get("position", position),
        }
        plan, _ = upsert(session=session, model=Plan, key={"code": row["code"]}, values=values)
        known = {
            code: tid
            for code, tid in session.exec(
                select(Target.code, Target.id).where(Target.plan_id == plan.id)
            )
        }
        for order, item in enumerate(row["targets"]):
            if item["code"] in known:
                bases.add("target", known[item["code"]], basis.of_row(item, document=plan.code))
                continue  # an admin may have adjusted it since
            target = Target(
                plan_id=require_id(plan),
                code=item["code"],
                name=item["name"],
                unit=item.get("unit", ""),
                target_value=item["target"],
                target_high=item.get("high"),
                form=TargetForm(item.get("form", "level")),
                baseline_value=item.get("baseline"),
                baseline_on=item.get("baseline_on"),
                milestones={str(k): v for k, v in item.get("milestones", {}).items()},
                comparator=Comparator(item.get("comparator", "ge")),
                deadline=item.get("deadline", row["period_end"]),
                kind=TargetKind(item.get("kind", "reported")),
                definition=item.get("definition"),
                headline=item.get("headline", False),
                lead_units=item.get("lead", ""),
                cooperating_units=item.get("cooperating", ""),
                quote=item.get("quote", ""),
                position=order,
            )
            added.append((target, item))
    session.add_all([target for target, _ in added])
    session.flush()
    for target, item in added:
        plan_code = item["code"].split("-")[0]
        bases.add("target", target.id, basis.of_row(item, document=plan_code))


def load_all(*, session: Session) -> None:
    """Load every reference file; a second run changes nothing."""
    bases = Bases()
    parks = _parks(session)
    units = _units(session, parks, bases)
    _landmarks(session, parks, units, bases)
    _carriers(session, parks)
    _designations(session)
    _plans(session, bases)
    for path in sorted((DATA / "tasks").glob("*.yaml")):
        tasks.load(session=session, row=_read(path), units=units, bases=bases)
    for path in sorted((DATA / "chains").glob("*.yaml")):
        _chain(session, _read(path), parks, units, bases)
    bases.write(session)

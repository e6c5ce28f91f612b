"""What the plan says about a chain versus what was inferred, as the map and panel show it.

The seeds state each row's basis (core.provenance). A supply link, a segment's technology
tag, a firm's membership or park that rests on an inference is drawn as 推断 until the chain's
chief confirms the segment it belongs to (a link: the segment it supplies), after which it is
the chief's own statement.
"""

from sqlmodel import Session

from chains.models import ChainDetail
from core import provenance
from core.provenance import Basis, Provenance


def inferred_links(*, session: Session, chain: ChainDetail) -> set[tuple[int, int]]:
    """The chain's links seeded as inferences whose target segment nobody has confirmed yet."""
    unconfirmed = {s.id for s in chain.segments if s.confirmed_at is None}
    keys = {f"{link.source_id},{link.target_id}": link for link in chain.links}
    found = provenance.of(session=session, object_type="segment_link", ids=list(keys))
    return {
        (keys[k].source_id, keys[k].target_id)
        for k, p in found.items()
        if p.basis == Basis.inferred and keys[k].target_id in unconfirmed
    }


def segment_bases(
    *, session: Session, segment_id: int, firm_ids: list[int], confirmed: bool
) -> dict[str, object]:
    """A segment's basis, its technology tag's, and each firm's membership and park basis.

    Inferences a chief has confirmed (by confirming the segment) are not returned as such.
    """

    def shown(row: Provenance | None) -> Provenance | None:
        return None if row is not None and confirmed and row.basis == Basis.inferred else row

    sid = str(segment_id)
    members = provenance.of(
        session=session, object_type="membership", ids=[f"{f},{segment_id}" for f in firm_ids]
    )
    parks = provenance.of(
        session=session, object_type="enterprise_park", ids=[str(f) for f in firm_ids]
    )
    return {
        "segment": provenance.one(session=session, object_type="segment", object_id=sid),
        "technology": shown(
            provenance.one(session=session, object_type="segment_technology", object_id=sid)
        ),
        "members": {int(k.split(",")[0]): shown(p) for k, p in members.items()},
        "parks": {int(k): shown(p) for k, p in parks.items()},
    }

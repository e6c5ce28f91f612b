"""A park's or a chain's share of a target (分解), set by admins."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from core import audit, bounds, locking, permissions, versions
from core.accounts import User
from core.db import require_id
from core.errors import FieldErrors
from enterprises.targets import Target


class TargetShare(SQLModel, table=True):
    """A park's or a chain's share of a target (exactly one of the two is set)."""

    __tablename__ = "target_share"
    __table_args__ = (UniqueConstraint("target_id", "park_id", "chain_id"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="target.id", index=True, ondelete="CASCADE")
    park_id: int | None = Field(default=None, foreign_key="park.id")
    chain_id: int | None = Field(default=None, foreign_key="chain.id", ondelete="CASCADE")
    value: float = Field(ge=0)


def shares_of(*, session: Session, target: Target) -> tuple[dict[int, float], dict[int, float]]:
    """The target's shares: ({park id: value}, {chain id: value})."""
    parks: dict[int, float] = {}
    chains: dict[int, float] = {}
    for share in session.exec(select(TargetShare).where(TargetShare.target_id == target.id)):
        if share.park_id is not None:
            parks[share.park_id] = share.value
        elif share.chain_id is not None:
            chains[share.chain_id] = share.value
    return parks, chains


def set_shares(
    *,
    session: Session,
    actor: User,
    target: Target,
    parks: dict[int, float | None],
    chains: dict[int, float | None],
) -> None:
    """Set (or clear, with None) parks' and chains' shares of a target (admins)."""
    permissions.ensure_can_report_targets(actor)
    locking.lock(session, target)  # shares are replaced as a whole, one request at a time
    errors = {
        f"{kind}_{key}": f"分解值{reason}"
        for kind, values in (("park", parks), ("chain", chains))
        for key, value in values.items()
        if value is not None and (reason := bounds.problem(value, low=0, high=bounds.FIGURE))
    }
    if errors:
        raise FieldErrors(errors)
    before_parks, before_chains = shares_of(session=session, target=target)
    existing = {
        (s.park_id, s.chain_id): s
        for s in session.exec(select(TargetShare).where(TargetShare.target_id == target.id))
    }
    wanted = {(k, None): v for k, v in parks.items()} | {(None, k): v for k, v in chains.items()}
    for key, value in wanted.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                TargetShare(
                    target_id=require_id(target), park_id=key[0], chain_id=key[1], value=value
                )
            )
        else:
            row.value = value
    session.flush()
    after_parks, after_chains = shares_of(session=session, target=target)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        obj=target,
        label=f"{target.name} 分解",
        before={"parks": before_parks, "chains": before_chains},
        after={"parks": after_parks, "chains": after_chains},
    )


versions.track(TargetShare)

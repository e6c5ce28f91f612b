"""A chain's dossier (五个一): key projects, innovation platforms, policies, advisory bodies."""

from sqlmodel import Session, col, select

from chains.editing import mark_curated
from chains.models import Chain, DossierItem, DossierItemFields, DossierKind
from core import audit, locking
from core.accounts import User
from core.db import require_id
from core.errors import NotFound

_FIELDS = list(DossierItemFields.model_fields)


def items_of(*, session: Session, chain_id: int) -> dict[DossierKind, list[DossierItem]]:
    """Return the chain's dossier items by kind, each kind in its stated order."""
    stmt = (
        select(DossierItem)
        .where(DossierItem.chain_id == chain_id)
        .order_by(col(DossierItem.position), col(DossierItem.id))
    )
    grouped: dict[DossierKind, list[DossierItem]] = {kind: [] for kind in DossierKind}
    for item in session.exec(stmt):
        grouped[DossierKind(item.kind)].append(item)
    return grouped


def get(*, session: Session, chain: Chain, item_id: int) -> DossierItem:
    """Return the chain's dossier item with this id or raise NotFound."""
    item = session.get(DossierItem, item_id)
    if item is None or item.chain_id != chain.id:
        raise NotFound(f"{chain.name}产业链档案中没有编号为 {item_id} 的条目")
    return item


def create(*, session: Session, actor: User, chain: Chain, data: DossierItemFields) -> DossierItem:
    """Add an item to the chain's dossier."""
    item = DossierItem(chain_id=require_id(chain), **data.model_dump())
    session.add(item)
    mark_curated(chain)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        obj=item,
        label=f"{chain.name}/{item.name}",
        after=audit.snapshot(item, _FIELDS),
    )
    return item


def update(
    *,
    session: Session,
    actor: User,
    chain: Chain,
    item: DossierItem,
    data: DossierItemFields,
    version: int | None = None,
) -> DossierItem:
    """Change a dossier item made from `version`; a stale one raises Conflict."""
    locking.claim(session, item, version, label=f"档案条目“{item.name}”", current=_FIELDS)
    label = f"{chain.name}/{data.name}"
    if audit.update(session=session, actor=actor, obj=item, label=label, values=data.model_dump()):
        mark_curated(chain)
    return item


def delete(*, session: Session, actor: User, chain: Chain, item: DossierItem) -> None:
    """Remove a dossier item."""
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        obj=item,
        label=f"{chain.name}/{item.name}",
        before=audit.snapshot(item, _FIELDS),
    )
    session.delete(item)
    mark_curated(chain)
    session.flush()

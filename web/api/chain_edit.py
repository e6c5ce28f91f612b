"""Writing a chain's map and dossier through the JSON API (the chain's chief or an admin)."""

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chainmaps import membership, word_edits
from chains import dossier as dossier_service
from chains import editing
from chains import service as chain_service
from chains.models import (
    Chain,
    ChainDetail,
    ChainSettings,
    DossierItemFields,
    SegmentFields,
    SegmentPublic,
)
from core.validation import Input
from enterprises.registry.models import MemberRole
from web.api.chains import DossierItemOut
from web.deps import CurrentUser, EditableChain, Id, PathId, QueryId, SessionDep

router = APIRouter(tags=["chain editing"])


VERSION = Field(default=None, description="the version you read: a stale one is refused with 409")


class SettingsIn(ChainSettings):
    """The chain's settings; send the chain's version you read."""

    version: int | None = VERSION


class SegmentIn(SegmentFields):
    """A segment's fields; send the segment's version you read."""

    version: int | None = VERSION


class DossierItemIn(DossierItemFields):
    """A dossier item's fields; send the item's version you read."""

    version: int | None = VERSION


class LinkIn(BaseModel):
    """A supply link: source segment supplies target segment."""

    source_id: Id
    target_id: Id


class ShiftIn(BaseModel):
    """Move a segment up (-1) or down (+1) within its stream."""

    offset: int = Field(ge=-1, le=1)


class ChokePointIn(Input):
    """Flag or clear a choke point; a flag needs a note."""

    choke_point: bool
    choke_note: str = Field(default="", max_length=500)
    version: int | None = VERSION


class MembershipIn(BaseModel):
    """A firm's role in a segment and its hidden-champion mark."""

    role: MemberRole
    hidden_champion: bool = False


class MembershipOut(MembershipIn):
    """A firm's place in a segment."""

    enterprise_id: int
    segment_id: int


def _segment_view(session: Session, chain: Chain, segment_id: int) -> SegmentPublic:
    view = chain_figures.detail(session=session, code=chain.code)
    return next(s for s in view.segments if s.id == segment_id)


@router.patch("/chains/{code}", response_model=ChainDetail)
def update_settings(
    data: SettingsIn, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> ChainDetail:
    """Set the weak threshold and the chain's shares of the zone targets."""
    fields = ChainSettings.model_validate(data.model_dump(exclude={"version"}))
    editing.update_settings(
        session=session, actor=user, chain=chain, data=fields, version=data.version
    )
    return chain_figures.detail(session=session, code=chain.code)


@router.post("/chains/{code}/segments", response_model=SegmentPublic, status_code=201)
def create_segment(
    data: SegmentFields, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> SegmentPublic:
    """Add a segment at the end of its stream."""
    segment = word_edits.add_segment(session=session, actor=user, chain=chain, data=data)
    return _segment_view(session, chain, segment.id or 0)


@router.put("/chains/{code}/segments/{segment_id}", response_model=SegmentPublic)
def update_segment(
    segment_id: PathId,
    data: SegmentIn,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
) -> SegmentPublic:
    """Rename a segment, move it to another stream, or change its technology."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    fields = SegmentFields.model_validate(data.model_dump(exclude={"version"}))
    word_edits.edit_segment(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        data=fields,
        version=data.version,
    )
    return _segment_view(session, chain, segment_id)


@router.post("/chains/{code}/segments/{segment_id}/shift", status_code=204)
def shift_segment(
    segment_id: PathId, data: ShiftIn, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> Response:
    """Move a segment up or down within its stream."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    editing.shift_segment(
        session=session, actor=user, chain=chain, segment=segment, offset=data.offset
    )
    return Response(status_code=204)


@router.delete("/chains/{code}/segments/{segment_id}", status_code=204)
def delete_segment(
    segment_id: PathId,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
    firms_to: QueryId = None,
    detach_firms: bool = False,
) -> Response:
    """Delete a segment; a segment with firms needs firms_to (a segment id) or detach_firms."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    membership.delete_segment(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        firms_to=firms_to,
        detach_firms=detach_firms,
    )
    return Response(status_code=204)


@router.put("/chains/{code}/segments/{segment_id}/choke-point", response_model=SegmentPublic)
def set_choke_point(
    segment_id: PathId,
    data: ChokePointIn,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
) -> SegmentPublic:
    """Flag a segment as a choke point (卡脖子) with a note, or clear the flag."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    editing.set_choke_point(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        flag=data.choke_point,
        note=data.choke_note,
        version=data.version,
    )
    return _segment_view(session, chain, segment_id)


@router.post("/chains/{code}/segments/{segment_id}/confirm", response_model=SegmentPublic)
def confirm_segment(
    segment_id: PathId, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> SegmentPublic:
    """Record that the segment and its firm list were checked and are current."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    editing.confirm_segment(session=session, actor=user, chain=chain, segment=segment)
    return _segment_view(session, chain, segment_id)


@router.put(
    "/chains/{code}/segments/{segment_id}/firms/{enterprise_id}", response_model=MembershipOut
)
def update_membership(
    segment_id: PathId,
    enterprise_id: PathId,
    data: MembershipIn,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
) -> MembershipOut:
    """Set a firm's role in the segment (anchor / key / member) and its hidden-champion mark."""
    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    member = membership.update_membership(
        session=session,
        actor=user,
        chain=chain,
        segment=segment,
        enterprise_id=enterprise_id,
        role=data.role,
        hidden_champion=data.hidden_champion,
    )
    return MembershipOut(
        enterprise_id=member.enterprise_id,
        segment_id=member.segment_id,
        role=MemberRole(member.role),
        hidden_champion=member.hidden_champion,
    )


@router.post("/chains/{code}/links", response_model=LinkIn, status_code=201)
def add_link(data: LinkIn, chain: EditableChain, session: SessionDep, user: CurrentUser) -> LinkIn:
    """Add a supply link; one that would close a cycle is refused, naming the cycle."""
    editing.add_link(
        session=session,
        actor=user,
        chain=chain,
        source_id=data.source_id,
        target_id=data.target_id,
    )
    return data


@router.delete("/chains/{code}/links/{source_id}/{target_id}", status_code=204)
def remove_link(
    source_id: PathId,
    target_id: PathId,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
) -> Response:
    """Remove a supply link."""
    editing.remove_link(
        session=session, actor=user, chain=chain, source_id=source_id, target_id=target_id
    )
    return Response(status_code=204)


@router.post("/chains/{code}/dossier", response_model=DossierItemOut, status_code=201)
def create_dossier_item(
    data: DossierItemFields, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> DossierItemOut:
    """Add a key project, platform, policy or advisory body to the chain's dossier."""
    item = dossier_service.create(session=session, actor=user, chain=chain, data=data)
    return DossierItemOut.model_validate(item, from_attributes=True)


@router.put("/chains/{code}/dossier/{item_id}", response_model=DossierItemOut)
def update_dossier_item(
    item_id: PathId,
    data: DossierItemIn,
    chain: EditableChain,
    session: SessionDep,
    user: CurrentUser,
) -> DossierItemOut:
    """Change a dossier item."""
    item = dossier_service.get(session=session, chain=chain, item_id=item_id)
    fields = DossierItemFields.model_validate(data.model_dump(exclude={"version"}))
    dossier_service.update(
        session=session, actor=user, chain=chain, item=item, data=fields, version=data.version
    )
    return DossierItemOut.model_validate(item, from_attributes=True)


@router.delete("/chains/{code}/dossier/{item_id}", status_code=204)
def delete_dossier_item(
    item_id: PathId, chain: EditableChain, session: SessionDep, user: CurrentUser
) -> Response:
    """Remove a dossier item."""
    item = dossier_service.get(session=session, chain=chain, item_id=item_id)
    dossier_service.delete(session=session, actor=user, chain=chain, item=item)
    return Response(status_code=204)

"""The six industrial landmarks with the projects, platforms, carriers and zones named under
each, and the plan's sentence for every item, as JSON."""

from fastapi import APIRouter
from pydantic import BaseModel

from core.orgs import ItemView, LandmarkItemKind, landmark_views, park_names
from web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["landmarks"])


class BasisOut(BaseModel):
    """Where an item comes from: 规划原文 with document, section and the verbatim sentence."""

    basis: str
    label: str
    document: str
    section: str
    quote: str
    note: str


class LandmarkItemOut(BaseModel):
    """A project, platform, carrier or zone of a landmark."""

    id: int
    kind: LandmarkItemKind
    kind_label: str
    name: str
    description: str
    basis: BasisOut | None


class LandmarkOut(BaseModel):
    """A landmark, its park and goal, and its items in plan order."""

    id: int
    code: str
    name: str
    park_id: int
    park: str
    goal: str
    items: list[LandmarkItemOut]


def _item(view: ItemView) -> LandmarkItemOut:
    stated = view.basis
    return LandmarkItemOut(
        id=view.item.id or 0,
        kind=view.item.kind,
        kind_label=view.kind_label,
        name=view.item.name,
        description=view.item.description,
        basis=None
        if stated is None
        else BasisOut(
            basis=stated.basis,
            label=stated.label,
            document=stated.document,
            section=stated.section,
            quote=stated.quote,
            note=stated.note,
        ),
    )


@router.get("/landmarks", response_model=list[LandmarkOut])
def landmarks(session: SessionDep, user: CurrentUser) -> list[LandmarkOut]:
    """The six landmarks in plan order, each with its named items."""
    parks = park_names(session=session)
    return [
        LandmarkOut(
            id=v.landmark.id or 0,
            code=v.landmark.code,
            name=v.landmark.name,
            park_id=v.landmark.park_id,
            park=parks.get(v.landmark.park_id, ""),
            goal=v.landmark.goal,
            items=[_item(i) for i in v.items],
        )
        for v in landmark_views(session=session)
    ]

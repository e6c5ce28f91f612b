"""Turn list query parameters (codes and strings) into a service filter."""

from sqlmodel import Session

from chains import service as chain_service
from core.orgs import get_park_by_code
from enterprises.service import EnterpriseFilter


def enterprise_filter(
    session: Session,
    *,
    q: str = "",
    park: str = "",
    chain: str = "",
    segment: str = "",
    size: str = "",
    demo: str = "",
) -> EnterpriseFilter:
    """Build the filter shared by the enterprise page and the enterprise API."""
    return EnterpriseFilter(
        q=q[:100],
        park_id=get_park_by_code(session=session, code=park).id if park else None,
        chain_id=chain_service.get_by_code(session=session, code=chain).id if chain else None,
        segment_id=int(segment) if segment.isdigit() else None,
        above_size={"above": True, "below": False}.get(size),
        include_demo=demo != "exclude",
    )

import networkx as nx
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import service
from chains.models import ChainGroup, Stream
from core.accounts import Role
from tests.factories import make_user


def test_seed_has_the_ten_chains_of_the_plan_in_their_groups(session: Session) -> None:
    summaries = chain_figures.summaries(session=session)
    groups = [s.group for s in summaries]
    assert [s.name for s in summaries][:3] == ["智能成套设备", "汽车整车与零部件", "智能家电"]
    assert (
        groups.count(ChainGroup.leading),
        groups.count(ChainGroup.advantage),
        groups.count(ChainGroup.future),
    ) == (4, 3, 3)


def test_every_chain_is_a_credible_acyclic_map(session: Session) -> None:
    for chain in service.get_all(session=session):
        segments = service.segments_of(session=session, chain_id=chain.id)
        streams = {Stream(s.stream) for s in segments}
        graph = nx.DiGraph(
            (link.source_id, link.target_id)
            for link in service.links_of(session=session, chain_id=chain.id)
        )
        assert len(segments) >= 8, chain.name
        assert streams == set(Stream), chain.name
        assert any(s.from_plan for s in segments), chain.name
        assert nx.is_directed_acyclic_graph(graph), chain.name
        assert set(graph.nodes) <= {s.id for s in segments}


def test_plan_segments_and_units_are_seeded(session: Session) -> None:
    robotics = chain_figures.detail(session=session, code="robotics")
    names = {s.name: s for s in robotics.segments}
    assert names["伺服系统"].from_plan and not names["精密减速器"].from_plan
    lead = [u.name for u in robotics.units if u.role == "lead"]
    assert lead == ["顺德区人民政府", "佛山高新区管委会", "佛山高新区顺德园管理局"]
    assert "佛山高新区南海园管理局" in [u.name for u in robotics.units if u.role == "cooperating"]


def test_chain_chief_post_is_vacant_until_assigned(session: Session) -> None:
    assert chain_figures.detail(session=session, code="additive").chief_names == []
    chief = make_user(session, Role.chain_chief, chains=("additive",))
    assert chain_figures.detail(session=session, code="additive").chief_names == [
        chief.display_name
    ]

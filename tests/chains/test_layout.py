from chains.layout import MAX_ROWS, NODE_HEIGHT, NODE_WIDTH, label_lines, layered
from chains.models import Stream

UP, MID, DOWN = Stream.upstream, Stream.midstream, Stream.downstream


def test_streams_run_left_to_right_and_suppliers_sit_left_of_customers() -> None:
    segments = [(1, UP), (2, UP), (3, MID), (4, MID), (5, DOWN)]
    layout = layered(segments, [(1, 3), (3, 4), (2, 4), (4, 5)])
    x = {sid: node.x for sid, node in layout.nodes.items()}
    assert x[1] == x[2] < x[3] < x[4] < x[5]
    assert [b.stream for b in layout.bands] == [UP, MID, DOWN]
    assert all(node.x + NODE_WIDTH <= layout.width for node in layout.nodes.values())
    assert all(node.y + NODE_HEIGHT <= layout.height for node in layout.nodes.values())


def test_arrows_start_at_the_supplier_and_end_at_the_customer() -> None:
    layout = layered([(1, UP), (2, DOWN)], [(1, 2)])
    source, target = layout.nodes[1], layout.nodes[2]
    path = layout.arrows[0].path
    assert path.startswith(f"M{round(source.x + NODE_WIDTH)},{round(source.y + NODE_HEIGHT / 2)}")
    assert path.endswith(f"{round(target.x)},{round(target.y + NODE_HEIGHT / 2)}")


def test_a_tall_layer_wraps_and_no_two_boxes_overlap() -> None:
    segments = [(i, MID) for i in range(1, 2 * MAX_ROWS + 2)]
    layout = layered(segments, [])
    columns = {node.column for node in layout.nodes.values()}
    assert len(columns) == 3
    boxes = {(node.x, node.y) for node in layout.nodes.values()}
    assert len(boxes) == len(segments)


def test_rows_follow_the_suppliers_to_avoid_crossings() -> None:
    # 1 feeds 4 and 2 feeds 3: the barycentre sweep puts 4 above 3, so the arrows do not cross.
    layout = layered([(1, UP), (2, UP), (3, MID), (4, MID)], [(1, 4), (2, 3)])
    assert layout.nodes[1].y < layout.nodes[2].y
    assert layout.nodes[4].y < layout.nodes[3].y


def test_sixty_segments_lay_out_without_overlap() -> None:
    segments = [(i, [UP, MID, DOWN][i % 3]) for i in range(60)]
    links = [(i, i + 1) for i in range(0, 59, 3)] + [(i + 1, i + 2) for i in range(0, 57, 3)]
    layout = layered(segments, links)
    assert len({(n.x, n.y) for n in layout.nodes.values()}) == 60
    assert (
        max(len([n for n in layout.nodes.values() if n.column == c]) for c in range(12)) <= MAX_ROWS
    )


def test_long_names_wrap_to_two_lines_with_an_ellipsis() -> None:
    assert label_lines("伺服系统") == ["伺服系统"]
    assert label_lines("智能工厂整线交付与运维服务") == ["智能工厂整线交付与运维", "服务"]
    long = label_lines("一二三四五六七八九十一二三四五六七八九十一二三")
    assert len(long) == 2 and long[1].endswith("…") and len(long[1]) == 11

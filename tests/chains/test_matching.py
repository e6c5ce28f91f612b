"""The matcher: which segments a text matches, why, and how strongly."""

from chains.matching import SegmentMatch, build_matcher
from chains.segment_words import derive_words

WORDS = {
    1: ["协作机器人", "机器人"],
    2: ["工业机器人", "机器人"],
    3: ["工业传感器", "传感器"],
    4: ["汽车电子", "传感器"],
    5: ["射频识别", "RFID"],
}


def test_words_that_matched_are_the_reason() -> None:
    matches = build_matcher(WORDS).match("六轴协作机器人、控制柜")
    assert matches[0] == SegmentMatch(segment_id=1, score=matches[0].score, words=("协作机器人",))
    assert matches[0].score > 0.8
    # 机器人 is inside 协作机器人: segment 1 gives the longer word alone, segment 2 the short one
    assert [m.segment_id for m in matches] == [1, 2]
    assert matches[1].words == ("机器人",)


def test_specific_words_score_above_shared_ones() -> None:
    matcher = build_matcher(WORDS)
    assert matcher.strength("协作机器人") > matcher.strength("机器人")  # longer, one segment
    # 传感器 is in two of five segments: idf lowers it below a 3-character word of one segment
    lone = build_matcher({1: ["传感器"], 2: ["电机"], 3: ["电池"], 4: ["芯片"], 5: ["涂料"]})
    assert matcher.strength("传感器") < lone.strength("传感器")
    assert matcher.strength("不存在") == 0.0


def test_more_words_score_higher_and_scores_stay_below_one() -> None:
    matcher = build_matcher(WORDS)
    one = matcher.match("工业传感器")[0]
    two = matcher.match("工业传感器 温湿度传感器")  # 传感器 alone is inside 工业传感器 here
    both = build_matcher({3: ["工业传感器", "压力变送器"]}).match("工业传感器、压力变送器")[0]
    assert two[0].score == one.score
    assert one.score < both.score < 1.0
    assert set(both.words) == {"工业传感器", "压力变送器"}


def test_case_and_full_width_letters_are_folded() -> None:
    matcher = build_matcher(WORDS)
    assert [m.segment_id for m in matcher.match("ｒｆｉｄ标签")] == [5]
    assert matcher.match("rfid读写器")[0].words == ("RFID",)


def test_no_match_limit_and_single_characters() -> None:
    matcher = build_matcher({1: ["车", "汽车"], 2: ["机器人"]})
    assert matcher.match("食品加工") == []
    assert matcher.match("") == []
    assert matcher.match("车") == []  # one Chinese character is no word
    assert len(build_matcher(WORDS).match("机器人 传感器 RFID", limit=2)) == 2
    assert build_matcher({}).match("机器人") == []


def test_derive_words_splits_names_and_strips_generic_heads() -> None:
    assert derive_words("射频识别（RFID）") == ["射频识别", "RFID"]
    assert derive_words("数控系统与伺服驱动") == ["数控系统", "数控", "伺服驱动"]
    assert derive_words("压铸设备", ["压铸机"]) == ["压铸设备", "压铸", "压铸机"]

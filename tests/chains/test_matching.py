"""The matcher: which segments a text matches, why, and how strongly."""

from chains.matching import MIN_SCORE, SegmentProfile, build_matcher, is_gram_reason
from chains.segment_words import derive_words


def _profile(name: str, *extra: str) -> SegmentProfile:
    """A segment as the seeds make it: its words derived from its name and the plan's phrases."""
    return SegmentProfile(name=name, words=derive_words(name, extra))


PROFILES = {
    1: _profile("精密减速器", "RV减速器", "谐波减速器"),
    2: _profile("伺服系统", "伺服电机"),
    3: _profile("协作机器人"),
    4: _profile("工业机器人"),
    5: _profile("射频识别（RFID）"),
    6: _profile("变速器"),
    7: _profile("健康调味品"),
    8: _profile("压铸设备", "压铸机"),
}


def test_precise_reducer_goes_to_its_segment_with_the_words_as_reason() -> None:
    [best, *_] = build_matcher(PROFILES).match("精密减速器、行星齿轮箱")
    assert best.segment_id == 1 and best.by_words
    assert best.words == ("精密减速器",)  # 减速器 is inside it: the longer word is the reason
    assert MIN_SCORE < best.score <= 1.0


def test_without_a_word_the_shared_ngrams_are_the_reason() -> None:
    [best, *_] = build_matcher(PROFILES).match("谐波减速机")  # 减速机, not 减速器
    assert best.segment_id == 1 and not best.by_words
    assert best.words[0] == "「谐波减速」"  # 谐波 + 波减 + 减速 read as one stretch
    assert all(is_gram_reason(w) for w in best.words)
    assert build_matcher(PROFILES).match("酱油、蚝油、低盐调味品")[0].words == ("「调味品」",)


def test_a_specific_text_scores_above_a_mixed_one() -> None:
    matcher = build_matcher(PROFILES)
    alone = matcher.match("协作机器人")[0]
    mixed = {m.segment_id: m for m in matcher.match("协作机器人、伺服电机")}
    assert alone.segment_id == 3 and alone.score > mixed[3].score  # the text is about two things
    assert {2, 3} <= set(mixed)
    # 协作机器人 shares 机器人 with 工业机器人 too, but less of it
    scores = {m.segment_id: m.score for m in matcher.match("六轴协作机器人")}
    assert scores[3] > scores.get(4, 0.0)


def test_markup_and_quotes_in_the_text_are_harmless() -> None:
    matcher = build_matcher(PROFILES)
    plain = matcher.match("伺服电机")
    marked = matcher.match('<b>"伺服电机"</b>&amp;<script>\'</script>')
    assert [(m.segment_id, m.words) for m in marked] == [(m.segment_id, m.words) for m in plain]
    assert matcher.match('<a href="x">') == [] and matcher.match("「」“”") == []


def test_empty_text_or_profiles_give_nothing() -> None:
    matcher = build_matcher(PROFILES)
    assert matcher.match("") == [] and matcher.match("   \n") == []
    assert matcher.match("食品加工、木材") == []
    assert matcher.match("车") == []  # one character makes no n-gram
    assert build_matcher({}).match("机器人") == []
    assert matcher.match_all([]) == []


def test_a_new_word_changes_what_matches_and_why() -> None:
    before = build_matcher(PROFILES).match("汽车刹车片")
    assert 6 not in [m.segment_id for m in before]
    worded = dict(PROFILES) | {6: _profile("变速器", "刹车片")}
    [after] = build_matcher(worded).match("汽车刹车片")
    assert (after.segment_id, after.words) == (6, ("刹车片",))


def test_case_and_full_width_letters_are_folded_and_shown_as_written() -> None:
    matcher = build_matcher(PROFILES)
    assert [m.segment_id for m in matcher.match("ｒｆｉｄ标签")] == [5]
    assert matcher.match("rfid读写器")[0].words == ("RFID",)


def test_many_texts_at_once_agree_with_one_at_a_time_and_limit() -> None:
    matcher = build_matcher(PROFILES)
    texts = ["RV减速器", "", "伺服电机", "压铸机、压铸岛", "饮料"] * 2_100  # past a batch
    one_by_one = [matcher.match(t) for t in texts[:5]]
    assert matcher.match_all(texts)[-5:] == one_by_one
    assert len(matcher.match("协作机器人 工业机器人 伺服电机 压铸机", limit=2)) == 2


def test_touching_finds_the_texts_that_can_match_a_segment() -> None:
    matcher = build_matcher(PROFILES)
    assert matcher.touching(8, ["压铸岛", "饮料", "压铸设备", ""]) == [0, 2]
    assert matcher.touching(999, ["压铸岛"]) == []


def test_derive_words_splits_names_and_strips_generic_heads() -> None:
    assert derive_words("射频识别（RFID）") == ["射频识别", "RFID"]
    assert derive_words("数控系统与伺服驱动") == ["数控系统", "数控", "伺服驱动"]
    assert derive_words("压铸设备", ["压铸机"]) == ["压铸设备", "压铸", "压铸机"]


def test_ngrams_inside_another_segments_word_are_no_reason() -> None:
    matcher = build_matcher(PROFILES)
    # 机器人 is shared with 工业机器人, but here it is part of 协作机器人, a word of segment 3
    assert [m.segment_id for m in matcher.match("六轴协作机器人", min_score=0.2)] == [3]
    near = {m.segment_id: m.words for m in matcher.match("六轴关节机器人", min_score=0.2)}
    assert near[3] == near[4] == ("「机器人」",)

"""The parser's shortcuts give what the plain code they replace gives."""
from __future__ import annotations

import random

from nianbao.parse import agency, metadata
from nianbao.parse.prefilter import may_match
from nianbao.parse.stated_figures import _SENTENCE_END, _clause_start, _Sentences
from nianbao.parse.tables import recover_run_together


def test_sentence_ends_are_the_match_positions():
    rng = random.Random(7)
    alphabet = "。;!?！？\n收到申请12件，"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _Sentences(text).ends == [m.start() for m in _SENTENCE_END.finditer(text)]


def test_clause_start_is_the_last_cut_before():
    rng = random.Random(11)
    alphabet = "。;,、\n:收到12件 "
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        pos = rng.randint(0, len(text))
        lo = max(0, pos - 200)
        cut = max(text.rfind(c, lo, pos) for c in "。;,、\n:")
        assert _clause_start(text, pos) == (cut + 1 if cut >= 0 else lo)


def test_cached_results_are_fresh_objects():
    split = recover_run_together("713000074", [7])
    assert split == [71, 3, 0, 0, 0, 0, 74]
    split.append(1)  # a caller changing its list changes no later answer
    assert recover_run_together("713000074", [7]) == [71, 3, 0, 0, 0, 0, 74]
    parts = agency._split("浙江省杭州市西湖区人民政府")
    parts["body"] = None
    assert agency._split("浙江省杭州市西湖区人民政府")["body"] == "人民政府"


def test_title_and_aggregate_literals():
    # every match of the patterns holds the literals the scans are skipped without
    assert "信息公开" in metadata._TITLE.pattern and "政务公开" in metadata._OTHER_TITLE.pattern
    text = "本报告综合各县、区人民政府和市政府各部门年度报告编制而成"
    assert metadata._AGGREGATE.search(text) and may_match(metadata._AGGREGATE_NEEDS, text)

"""nianbao.parse.prefilter: the literals it says a pattern needs are in every match."""
from __future__ import annotations

import random
import re

from nianbao.parse.prefilter import may_match, required_literals
from nianbao.parse.stated_figures import _compiled, _traps


def test_required_literals_of_simple_patterns():
    assert required_literals("行政复议") == (("行政复议",),)
    assert required_literals(r"(?:收到|受理)[^。]{0,5}?申请(\d+)件") == (("申请",), ("受理", "收到"), ("件",))
    assert required_literals(r"(?:予以)?公开") == (("公开",),)
    assert required_literals(r"(?:a|)b") == (("b",),)  # an empty alternative: the branch needs nothing
    assert required_literals(r"x{0,3}") == ()
    assert required_literals(re.compile("abc", re.I)) == ()
    assert required_literals(r"(?i:abc)d") == ()
    assert required_literals(r"(?<![部分不])公开") == (("公开",),)


def _vocabulary_patterns() -> list[re.Pattern]:
    out = []
    for comp in _compiled():
        out += list(comp.phrases) + list(comp.zero) + list(comp.labels)
    out += [t.pattern for t in _traps()]
    return out


def test_every_match_holds_the_required_literals():
    """Texts stitched from the patterns' own literals, numbers and units: wherever a vocabulary
    pattern matches, the matched text contains what required_literals says it needs."""
    patterns = _vocabulary_patterns()
    pieces = sorted({s for p in patterns for group in required_literals(p) for s in group})
    pieces += ["12", "三", "件", "条", "，", "。", "的", "共", "为", "“", "”", " ", "\n", "申请", "政府信息"]
    rng = random.Random(6)
    matched = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for p in patterns:
            for m in p.finditer(text):
                matched += 1
                assert may_match(required_literals(p), m.group(0)), (p.pattern, m.group(0))
    assert matched > 1000

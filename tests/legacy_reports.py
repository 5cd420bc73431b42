"""Pre-2019 reports written in prose (format-spec §3: families A, B and C, the phrasings of §3.4
and its traps), with what the warehouse must say about each.

A :class:`LegacyCase` is drawn at random (``random_legacy_case(rng)``): an agency and a year
2008–2018, the year's figures (requests and their channels, replies, outcomes, reviews,
lawsuits, fees) and a few traps — sentences that hold numbers which are *not* those figures,
or that word a figure so that it must not go where a naive reading puts it:

* ``cumulative``: counts since the 条例 took effect (自《条例》实施以来累计受理…, 截至…年底累计…);
* ``document_attributes``: 依申请公开信息 N 条 beside 主动公开 / 不予公开信息 — documents, not requests;
* ``combined``: 予以公开及部分公开 N 件 — neither category alone (then neither is stated apart);
* ``told_to_amend``: 告知申请人更改、补充申请 N 件 — the old wording of 申请内容不明确;
* ``no_corrections``: 未发生…被纠错或败诉 — says nothing of how many reviews there were;
* ``other_year``: last year's count in the same paragraph;
* ``word_runs``: numbers and years on lines of their own (Word runs in a web page's text);
* ``chinese_numerals``: small counts in words (三件, 十二件).

``render()`` gives the report as UTF-8 text; ``expected()`` the values of
``marts.mart_agency_year`` (and the agency and year of ``dim_agency`` / ``dim_report``) that a
correct pipeline gives: a value the report does not state is ``None`` (must stay unread).
Used by ``bench/legacy_accuracy.py`` and the unit tests.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.generator.spec import random_agency

TRAPS = ("cumulative", "document_attributes", "combined", "told_to_amend", "no_corrections",
         "other_year", "word_runs", "chinese_numerals")
FAMILIES = ("A", "B", "C")
EXPECTED_FIELDS = ("agency", "report_year", "requests_received", "requests_processed_printed",
                   "requests_granted", "requests_partially_granted", "requests_denied",
                   "requests_unable_to_provide", "reviews_total", "lawsuits_total", "fees_collected_cny")

_CN = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """12 → 十二, 3 → 三, 20 → 二十 (0–99)."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + ("" if ones == 0 else _CN[ones])


@dataclass
class LegacyCase:
    family: str
    agency: str
    year: int
    requests: int
    channels: dict[str, int]
    granted: int
    partially: int
    denied: int
    not_exist: int
    not_this_agency: int
    unclear: int
    reviews: int
    lawsuits: int
    fees: float
    traps: frozenset[str] = field(default_factory=frozenset)
    seed: int = 0

    @property
    def replies(self) -> int:
        return self.granted + self.partially + self.denied + self.not_exist + self.not_this_agency + self.unclear

    def expected(self) -> dict[str, object]:
        combined = "combined" in self.traps
        zero = self.requests == 0
        unable = self.not_exist + self.not_this_agency + self.unclear
        return {
            "agency": self.agency,
            "report_year": self.year,
            "requests_received": self.requests,
            "requests_processed_printed": None if zero else self.replies,
            "requests_granted": None if zero or combined else self.granted,
            "requests_partially_granted": None if zero or combined else self.partially,
            "requests_denied": None if zero else self.denied,
            "requests_unable_to_provide": None if zero else unable,
            "reviews_total": self.reviews,
            "lawsuits_total": self.lawsuits,
            "fees_collected_cny": self.fees,
        }

    def render(self) -> str:
        return _render(self, random.Random(self.seed))


def random_legacy_case(rng: random.Random, traps: tuple[str, ...] | None = None) -> LegacyCase:
    agency, _ = random_agency(rng)
    family = rng.choice(FAMILIES)
    year = rng.randint(2008, 2018)
    zero = rng.random() < 0.15
    requests = 0 if zero else rng.choice((rng.randint(1, 12), rng.randint(10, 400)))
    channels: dict[str, int] = {}
    if requests and rng.random() < 0.7:
        left = requests
        for ch in ("在线", "当面", "信函"):
            n = left if ch == "信函" else rng.randint(0, left)
            channels[ch] = n
            left -= n
    parts = [0] * 6  # granted, partially, denied, not_exist, not_this_agency, unclear
    for _ in range(requests):
        parts[rng.choices(range(6), weights=(60, 10, 8, 10, 8, 4))[0]] += 1
    reviews = rng.choice((0, 0, 0, 1, 2, rng.randint(3, 20)))
    lawsuits = rng.choice((0, 0, 0, 1, rng.randint(2, 9)))
    fees = rng.choice((0.0, 0.0, 0.0, float(rng.randint(5, 300))))
    pool = [t for t in (traps if traps is not None else TRAPS)]
    rng.shuffle(pool)
    chosen = frozenset(pool[:rng.randint(0, 3)] if traps is None else pool)
    if zero:
        chosen -= {"combined", "told_to_amend"}
    if "combined" in chosen and parts[0] + parts[1] == 0:
        chosen -= {"combined"}
    if "told_to_amend" in chosen and parts[5] == 0:
        chosen -= {"told_to_amend"}
    return LegacyCase(family, agency, year, requests, channels, *parts, reviews, lawsuits, fees,
                      chosen, rng.randrange(2**32))


# ---------------------------------------------------------------- rendering

_HEADINGS = {
    "A": ("概述", "主动公开政府信息的情况", "依申请公开政府信息和不予公开政府信息的情况",
          "政府信息公开的收费及减免情况", "因政府信息公开申请行政复议、提起行政诉讼的情况",
          "政府信息公开工作存在的主要问题及改进情况"),
    "B": ("概述", "主动公开政府信息情况", "依申请公开政府信息情况", "政府支出和收费",
          "复议、诉讼和申诉的情况", "存在的主要问题和改进措施"),
    "C": ("基本工作情况", "主动公开政府信息情况", "依申请公开政府信息情况", "政府信息公开收费情况",
          "政府信息公开行政复议、行政诉讼和投诉情况", "存在的主要问题及改进措施"),
}
_NUMS = "一二三四五六七八九"


def _n(c: LegacyCase, n: int, rng: random.Random) -> str:
    if "chinese_numerals" in c.traps and 0 < n < 100 and rng.random() < 0.6:
        return chinese(n)
    if "word_runs" in c.traps and rng.random() < 0.5:
        return f"\n{n}\n"
    return str(n)


def _y(c: LegacyCase, year: int) -> str:
    return f"\n{year}\n" if "word_runs" in c.traps else str(year)


def _render(c: LegacyCase, rng: random.Random) -> str:
    y = _y(c, c.year)
    h = _HEADINGS[c.family]
    out = [f"{c.agency}{c.year}年{rng.choice(('', '度'))}政府信息公开工作年度报告", ""]
    out.append(f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，特向社会公布{c.year}年度"
               f"政府信息公开工作年度报告。本报告中所列数据的统计期限自{c.year}年1月1日起至{c.year}年12月31日止。")
    out.append(f"一、{h[0]}")
    out.append(f"{y}年，{c.agency}认真贯彻落实《条例》，进一步健全工作机制，政府信息公开工作有序开展。")
    out.append(f"二、{h[1]}")
    proactive = rng.randint(50, 5000)
    out.append(f"{y}年，本机关共主动公开政府信息{_n(c, proactive, rng)}条，其中规范性文件{rng.randint(1, 30)}件。")
    if "document_attributes" in c.traps:
        made = rng.randint(100, 6000)
        out.append(rng.choice((
            f"全年共制作政府信息{made}条，其中主动公开信息{proactive}条，依申请公开信息{rng.randint(5, 500)}条，"
            f"不予公开信息{rng.randint(1, 300)}条。",
            f"{y}年，本机关共制作政府信息{made}条，其中：主动公开{proactive}条，占{rng.randint(40, 90)}%；"
            f"作为依申请公开{rng.randint(5, 500)}条，占{rng.randint(1, 20)}%；涉密等不予公开{rng.randint(1, 300)}条。")))
    out.append(f"三、{h[2]}")
    out += _requests(c, rng, y)
    out.append(f"四、{h[3]}")
    if c.fees:
        out.append(f"{y}年，依申请公开收取检索费、复制费等费用共计{int(c.fees)}元，未发生减免。")
    else:
        out.append(rng.choice(("本年度未收取任何费用。", f"{y}年，依申请提供政府信息，均未向申请人收取费用。",
                               "本年度无政府信息公开收费及减免情况。")))
    out.append(f"五、{h[4]}")
    out += _litigation(c, rng, y)
    out.append(f"六、{h[5]}")
    out.append("一是信息公开的及时性有待提高；二是公开内容的深度有待加强。下一步将加强培训，完善制度。")
    out.append(c.agency)
    out.append(f"{c.year + 1}年1月{rng.randint(5, 28)}日")
    return "\n".join(out) + "\n"


def _requests(c: LegacyCase, rng: random.Random, y: str) -> list[str]:
    out = []
    if c.requests == 0:
        out.append(rng.choice((f"{y}年，本机关未收到政府信息公开申请。", f"{y}年度没有收到公民、法人或其他组织提出的政府信息公开申请。")))
        if "cumulative" in c.traps:
            out.append(f"自《条例》实施以来，本机关累计受理政府信息公开申请{rng.randint(3, 90)}件。")
        return out
    verb = rng.choice(("共受理政府信息公开申请", "共收到政府信息公开申请", "共受理依申请公开政府信息申请"))
    sentence = f"{y}年，本机关{verb}{_n(c, c.requests, rng)}件"
    if c.channels:
        sentence += "，其中" + "，".join(f"{ch}申请{_n(c, n, rng)}件" for ch, n in c.channels.items())
    out.append(sentence + "。")
    if "other_year" in c.traps:
        out.append(f"（{c.year - 1}年共受理政府信息公开申请{rng.randint(1, 400)}件。）")
    if "cumulative" in c.traps:
        out.append(rng.choice((
            f"自《条例》实施以来，本机关累计受理政府信息公开申请{c.requests + rng.randint(5, 900)}件。",
            f"历年累计受理申请{c.requests + rng.randint(5, 900)}件，其中同意公开答复{rng.randint(5, 500)}件。")))
    parts = []
    if "combined" in c.traps:
        parts.append(f"予以公开及部分公开{_n(c, c.granted + c.partially, rng)}件")
    else:
        parts.append(f"“同意公开”的{_n(c, c.granted, rng)}件")
        parts.append(f"同意部分公开{_n(c, c.partially, rng)}件")
    if c.family == "B":
        refused = c.denied + c.not_exist + c.not_this_agency + c.unclear
        parts.append(f"否决公开{_n(c, refused, rng)}件（其中信息不存在的{_n(c, c.not_exist, rng)}件，"
                     f"非本部门掌握的{_n(c, c.not_this_agency, rng)}件，"
                     + (f"告知申请人更改、补充申请{_n(c, c.unclear, rng)}件，" if "told_to_amend" in c.traps
                        else f"申请内容不明确的{_n(c, c.unclear, rng)}件，")
                     + f"因其他原因不予公开{_n(c, c.denied, rng)}件）")
    else:
        parts.append(f"不予公开{_n(c, c.denied, rng)}件")
        parts.append(f"信息不存在的{_n(c, c.not_exist, rng)}件")
        parts.append(f"非本机关政府信息的{_n(c, c.not_this_agency, rng)}件")
        parts.append(f"告知申请人更改、补充申请{_n(c, c.unclear, rng)}件" if "told_to_amend" in c.traps
                     else f"申请内容不明确的{_n(c, c.unclear, rng)}件")
    replies = _n(c, c.replies, rng)
    out.append(rng.choice((f"上述申请已全部办结，共答复{replies}件，其中", f"在已经答复的{replies}件申请中，",
                           f"全年已办结政府信息公开申请{replies}件，其中")) + "，".join(parts) + "。")
    return out


def _litigation(c: LegacyCase, rng: random.Random, y: str) -> list[str]:
    out = []
    if c.reviews == 0 and c.lawsuits == 0:
        out.append(rng.choice((f"{y}年，本机关没有发生因政府信息公开申请提起行政复议、行政诉讼的情况。",
                               "本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。")))
    else:
        out.append(f"{y}年，本机关发生政府信息公开行政复议{_n(c, c.reviews, rng)}件，行政诉讼{_n(c, c.lawsuits, rng)}件。")
    if "no_corrections" in c.traps:
        out.append("本机关未发生政府信息公开行政复议被纠错或行政诉讼败诉的情况。")
    if "cumulative" in c.traps:
        out.append(f"截至{c.year}年底，本机关因政府信息公开累计发生行政复议{c.reviews + rng.randint(1, 30)}件、"
                   f"行政诉讼{c.lawsuits + rng.randint(1, 20)}件。")
    return out

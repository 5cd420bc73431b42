"""Figures stated in sentences: request totals and outcome counts, for reports whose tables
were lost and for the pre-2019 prose format (format-spec §2.4, §3.4).

Prose counts are not reliable (format-spec §2.4): they become facts only when no table gave
the same figure, and otherwise feed the warning rule ``narrative_table_consistency``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT = r"\s*(?:件|条|宗|个|起|次|人次|例)"
_NUM = r"(\d[\d,]*|[零〇一二两三四五六七八九十百千]+)"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """'三' → 3, '十二' → 12, '二百零五' → 205, '12' → 12."""
    t = text.replace(",", "")
    if t.isdigit():
        return int(t)
    total, digit = 0, None
    for ch in t:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (digit if digit is not None else 1) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


@dataclass(frozen=True)
class ProseFigure:
    measure: str  # a t3 row id: new_received, total_processed, granted, denied_unspecified…
    value: float
    text: str  # the sentence fragment it came from


# (measure, pattern): the first group is the number. Order matters only for readability.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("new_received", re.compile(
        r"(?:收到|受理|接到|接收|新收)(?:[、和及]办理)?[^。;,，]{0,12}?(?:政府信息公开|依申请公开|信息公开)"
        r"(?:政府信息)?(?:的)?(?:申请)?[^。;,，\d]{0,6}?" + _NUM + _UNIT)),
    ("total_processed", re.compile(
        r"(?:办结|答复|处理|办理)(?:了)?[^。;,，]{0,10}?(?:政府信息公开|依申请公开|信息公开)(?:政府信息)?(?:的)?(?:申请)?(?:件)?"
        r"[^。;,，\d]{0,4}?" + _NUM + _UNIT)),
    ("granted", re.compile(r"(?<!部分)(?<!不)(?:予以|同意)公开[”\"」]?(?:的)?(?:答复)?\s*" + _NUM + _UNIT)),
    ("partially_granted", re.compile(r"(?:同意)?部分公开[”\"」]?(?:的)?(?:答复)?\s*" + _NUM + _UNIT)),
    ("denied_unspecified", re.compile(r"(?:不予公开|不同意公开|否决公开)[”\"」]?(?:的)?(?:答复)?\s*" + _NUM + _UNIT)),
    ("unable_to_provide_unspecified", re.compile(r"无法提供[”\"」]?(?:的)?\s*" + _NUM + _UNIT)),
    ("not_processed_unspecified", re.compile(r"不予处理[”\"」]?(?:的)?\s*" + _NUM + _UNIT)),
]
# "未收到…申请", "没有收到政府信息公开申请": zero requests.
_ZERO_REQUESTS = re.compile(
    r"(?:没有|未|无)(?:收到|受理|接到|发生)[^。;]{0,16}?(?:公开申请|申请公开|的申请|依申请公开)")


def find_prose_figures(text: str) -> list[ProseFigure]:
    """Request figures stated in prose, first occurrence of each measure."""
    found: dict[str, ProseFigure] = {}
    for measure, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            value = chinese_number(m.group(1))
            if value is None:
                continue
            found.setdefault(measure, ProseFigure(measure, float(value), m.group(0)))
            break
    if "new_received" not in found and "total_processed" not in found:
        z = _ZERO_REQUESTS.search(text)
        if z:
            found["new_received"] = ProseFigure("new_received", 0.0, z.group(0))
    return list(found.values())

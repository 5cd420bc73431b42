"""Report metadata: title, agency, report year, publication date, 索引号, document kind."""
from __future__ import annotations

import datetime
import re

from nianbao.parse.model import Metadata, Note
from nianbao.parse.prefilter import may_match, required_literals

# Titles after normalisation (simplified, half-width). The year is the report year.
_TITLE = re.compile(
    r"(?P<pre>[^\n|]{0,60}?)(?P<year>(?:19|20)\d\d)\s*年\s*(?:度)?(?P<mid>[^\n|]{0,40}?)"
    r"(?:政府|政务)信息公开(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:报告|年报|情况报告|工作总结|数据统计)"
)
_AGENCY_TAIL = re.compile(r"([\u4e00-\u9fff()]{2,40})$")
_AGENCY_HEAD = re.compile(r"^([\u4e00-\u9fff()]{2,40})")
_AGENCY_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,40}(?:人民政府|办公厅|办公室|政府|局|委员会|委|厅|部|署|中心|办事处|管理处|总局)$")
_FIELD_AGENCY = re.compile(r"发布机构\s*[:|]?\s*\|?\s*([\u4e00-\u9fff()]{2,40})")
_FIELD_INDEX = re.compile(r"索\s*引\s*号\s*[:|]?\s*\|?\s*([0-9A-Za-z][0-9A-Za-z\-/_.]{5,60})")
_FIELD_DATE = re.compile(
    r"(?:发布日期|发文日期|成文日期|发布时间|生成日期)\s*[:|]?\s*\|?\s*((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})"
)
_JUNK_PREFIX = re.compile(r"^(?:关于|印发|发布|公布|当前位置.*?>|首页.*?>)+")
# Documents that use the 年报 vocabulary but are not annual reports (format-spec §4.8), by title.
_NOT_ANNUAL = (
    ("half_year_statistics", re.compile(r"上半年|下半年|半年度|半年")),
    ("periodic_statistics", re.compile(r"季度|月报|月份|1-\d+月")),
    ("work_plan", re.compile(r"工作要点|工作计划|工作安排")),
    ("work_summary", re.compile(r"工作总结|工作情况通报")),
    ("statistics", re.compile(r"数据统计|统计数据|统计表$")),
)
# A title of such a document that is not worded like a 年报 at all ("2019年政务公开工作总结");
# only looked for when no report title was found.
_OTHER_TITLE = re.compile(
    r"(?P<pre>[^\n|]{0,40}?)(?P<year>(?:19|20)\d\d)\s*年\s*(?:度)?(?P<mid>[^\n|]{0,20}?)"
    r"政务公开(?:工作)?(?:总结|工作总结|要点|工作要点|情况)$"
)
# The report sums the figures of many agencies (format-spec §3.4: SZ16 "综合各县、区人民政府和
# 市政府各部门…编制而成", NP12): its numbers are regional totals, not one agency's.
_AGGREGATE = re.compile(
    r"(?:综合|汇总|汇集)[^。;]{0,12}?各(?:县|区|市|乡|镇|街道|部门|单位|级)[^。;]{0,80}?"
    r"(?:编制|汇总|整理|形成|撰写|编写)"
)
_AGGREGATE_NEEDS = required_literals(_AGGREGATE)  # a text without them is not searched
AGGREGATE_LINES = 60  # lines after the title searched for the aggregate statement


_PERIOD_WORDS = re.compile(r"^(?:上半年|下半年|半年度|全年|年度|第[一二三四]季度|\d{1,2}(?:-\d{1,2})?月(?:份)?)")


def _clean_agency(name: str) -> str | None:
    name = _JUNK_PREFIX.sub("", name.replace(" ", "")).strip("()")
    name = _PERIOD_WORDS.sub("", name)
    name = re.sub(r"^\d+", "", name)
    return name if len(name) >= 2 else None


def find_title(lines: list[str]) -> tuple[int, re.Match] | None:
    """The first line that reads like a report title (skipping metadata-field lines)."""
    for i, line in enumerate(lines):
        line = line.strip().rstrip("| ")
        if len(line) > 200 or "内容概括" in line or "信息公开" not in line:
            continue  # (every _TITLE match holds 信息公开: a line without it is not searched)
        m = _TITLE.search(line)
        if m:
            return i, m
    for i, line in enumerate(lines):
        line = line.strip().rstrip("| ")
        m = _OTHER_TITLE.search(line) if len(line) <= 60 and "政务公开" in line else None
        if m:
            return i, m
    return None


def is_aggregate(lines: list[str], title_idx: int | None) -> bool:
    """Whether the report says it was compiled from many agencies' figures (综合各县、区…编制)."""
    start = title_idx or 0
    text = "\n".join(lines[start:start + AGGREGATE_LINES])
    return may_match(_AGGREGATE_NEEDS, text) and bool(_AGGREGATE.search(text))


def extract_metadata(lines: list[str], head_text: str,
                     notes: list[Note] | None = None) -> tuple[Metadata, int | None]:
    """Metadata from the document's lines; returns it with the title's line index. A field
    printed but impossible (发布日期 2024-02-30) is not recorded; ``notes`` gets why."""
    md = Metadata()
    title = find_title(lines)
    title_agency = None
    if title:
        i, m = title
        md.title = m.group(0).strip(" |-").strip()
        md.report_year = int(m["year"])
        pre = m["pre"].replace(" ", "")
        mid = m["mid"].replace(" ", "")
        tail = _AGENCY_TAIL.search(pre)
        head = _AGENCY_HEAD.search(mid)
        if tail:
            title_agency = _clean_agency(tail.group(1))
        elif head:  # "2019年上海市人民政府办公厅政府信息公开工作年度报告"
            title_agency = _clean_agency(head.group(1))
        elif i > 0 and not pre:
            # a title set on two lines (PDF cover: "淮安市人民政府" / "2024 年政府信息公开…")
            prev = lines[i - 1].strip().replace(" ", "")
            if _AGENCY_LINE.match(prev):
                title_agency = _clean_agency(prev)
        for kind, pattern in _NOT_ANNUAL:
            if pattern.search(md.title):
                md.document_kind = kind
                break
    field_agency = None
    fm = _FIELD_AGENCY.search(head_text)
    if fm:
        field_agency = _clean_agency(fm.group(1))
    # The 发布机构 field usually gives the fuller name (湖州市南浔区人民政府 for a title's
    # 南浔区人民政府); prefer it when it names the same body.
    if field_agency and (not title_agency or title_agency in field_agency):
        md.agency_name = field_agency
    else:
        md.agency_name = title_agency
    md.is_aggregate = is_aggregate(lines, title[0] if title else None)
    im = _FIELD_INDEX.search(head_text)
    if im:
        md.index_number = im.group(1)
    dm = _FIELD_DATE.search(head_text)
    if dm:
        md.published_on = calendar_date(*dm.groups())
        if md.published_on is None and notes is not None:
            notes.append(Note("warning", "date_impossible",
                              f"publication date printed as {dm.group(0).strip()!r} is not a calendar date; not recorded"))
    return md, (title[0] if title else None)


def calendar_date(year: str, month: str, day: str) -> str | None:
    """The ISO date, or None when no such day exists (2024-02-30, 2023年4月31日)."""
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None

"""Report metadata: title, agency, report year, publication date, 索引号, document kind."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache

from nianbao.parse.agency import starts_with_place
from nianbao.parse.model import Metadata, Note
from nianbao.parse.prefilter import may_match, required_literals
from nianbao.vocabulary.loader import load

# Titles after normalisation (simplified, half-width). The year is the report year. No digit
# between the year and 信息公开 (page chrome run together with the title holds other years).
_TITLE = re.compile(
    r"(?P<pre>[^\n|]{0,60}?)(?P<year>(?:19|20)\d\d)\s*年\s*(?:度)?(?P<mid>[^\n|\d]{0,40}?)"
    r"(?:政府|政务)信息公开(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:报告|年报|情况报告|工作总结|数据统计)"
)
_AGENCY_TAIL = re.compile(r"([\u4e00-\u9fff()]{2,40})$")
_AGENCY_HEAD = re.compile(r"^([\u4e00-\u9fff()]{2,40})")
_AGENCY_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,40}(?:人民政府|办公厅|办公室|政府|局|委员会|委|厅|部|署|中心|办事处|管理处|总局)$")
# What an issuing body's name ends with: a body, or a place (a bare place names its government).
_AGENCY_END = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|局|委|办|厅|部|署|中心|院|所|站|队|会|处|社|馆|公司|集团|"
    r"市|县|区|旗|盟|州|省|镇|乡|街道|办事处)$")
_NOT_AGENCY = re.compile(r"^(?:全|本|我|各|该)(?:市|区|县|省|州|旗|镇|乡|局|委|办|厅|单位|机关|部门)$")
_FIELD_AGENCY = re.compile(r"发布机构\s*[:|]?\s*\|?\s*([\u4e00-\u9fff()]{2,40})")
_FIELD_INDEX = re.compile(r"索\s*引\s*号\s*[:|]?\s*\|?\s*([0-9A-Za-z][0-9A-Za-z\-/_.]{5,60})")
_FIELD_DATE = re.compile(
    r"(?:发布日期|发文日期|成文日期|发布时间|生成日期)\s*[:|]?\s*\|?\s*((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})"
)
_JUNK_PREFIX = re.compile(r"^(?:关于|印发|发布|公布|当前位置.*?>|首页.*?>)+")
# The statistics period (统计期限自2019年1月1日起至2019年12月31日止): the report year when no
# title gives it.
_PERIOD = re.compile(
    r"(?:统计|所列数据)[^。;\n]{0,16}?((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日[^。;\n\d]{0,6}?(?:至|到|—|-|~)\s*"
    r"(?:((?:19|20)\d\d)\s*年\s*)?12\s*月\s*31\s*日"
)
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

_SHORT_LINE = 40  # lines this short may be one title broken by Word runs or a PDF's wrapping
_JOIN_LINES = 4  # a title is joined from at most this many lines
_LONG_LINE = 200  # a longer line is a paragraph or a flattened page: only its head is a title
_TITLE_HEAD = 100  # …and there the year must come within this many characters
_JOIN_WITHIN = 300  # titles broken over lines are looked for among the document's first lines
_SENTENCE_END = re.compile(r"[。;!?！？]")
# a page-chrome field ("公开方式:主动公开" above a title set on two lines): its value is no title's head
_CHROME_FIELD = re.compile(r"^(?!标题|题名|名称|文件名称)[\u4e00-\u9fff]{2,8}\s*[:：]")
_YEAR_YEAR = re.compile(r"(?:19|20)\d\d\s*年")

_PERIOD_WORDS = re.compile(r"^(?:上半年|下半年|半年度|全年|年度|第[一二三四]季度|\d{1,2}(?:-\d{1,2})?月(?:份)?)")


@cache
def _boilerplate() -> tuple[re.Pattern, tuple[str, ...]]:
    md = load().metadata
    words = sorted(md.get("agency_boilerplate", ()), key=len, reverse=True)
    return (re.compile("|".join(map(re.escape, words))) if words else re.compile("$^"),
            tuple(md.get("report_references", ())))


def _clean_agency(name: str) -> str | None:
    """The issuing body's name in a run of text before (or after) a title's year, or None when
    the run holds no name: boilerplate words ("现将编制的", "特向社会公布", "栏目") are cut off with
    everything before them, and what is left must end like a body or a place."""
    name = _JUNK_PREFIX.sub("", name.replace(" ", "")).strip("()")
    cut = None
    for m in _boilerplate()[0].finditer(name):
        cut = m.end()
    if cut is not None:
        name = name[cut:]
    name = _PERIOD_WORDS.sub("", name)
    name = re.sub(r"^\d+", "", name).strip("()")
    if len(name) < 2 or not _AGENCY_END.search(name) or _NOT_AGENCY.match(name):
        return None
    return _from_known_place(name)


def _from_known_place(name: str) -> str:
    """A name that has page words before its place (年以前政府信息公开申请莆田市统计局) starts at
    the first province, city or county of the national table in it."""
    if starts_with_place(name) or name.startswith(("中共", "中国共产党")):
        return name
    for k in range(1, len(name) - 1):
        if starts_with_place(name[k:]):
            return name[k:]
    return name


@dataclass(frozen=True)
class _Title:
    line: int  # the line the title starts on
    match: re.Match
    text: str  # the text searched (one line, its head, or short lines joined)


def _title_candidates(lines: list[str]):
    """(line index, text) to search for a title, in document order: each line (a long line's
    head only), then short lines joined with the next ones ("2024 年上海市科委政府信息公开工作" /
    "年度报告"; "三明" / "市人民政府20" / "21" / "年政府信息公开工作年度报告。…")."""
    n = len(lines)
    for i in range(n):
        line = lines[i].strip().rstrip("| ")
        if not line:
            continue
        yield i, line[:_LONG_LINE] if len(line) > _LONG_LINE else line
        if i >= _JOIN_WITHIN or len(line) > _SHORT_LINE or "|" in line or _SENTENCE_END.search(line) \
                or _CHROME_FIELD.match(line):
            continue
        joined = line
        for j in range(i + 1, min(i + _JOIN_LINES, n)):
            nxt = lines[j].strip().rstrip("| ")
            if not nxt or ("信息公开" in nxt and any(_names_agency(m) for m in _title_matches(nxt))):
                break  # (a line that holds a whole title, its agency included, is a title of its own)
            joined += nxt[:_SHORT_LINE]
            yield i, joined
            if len(nxt) > _SHORT_LINE or _SENTENCE_END.search(nxt):
                break


def _title_matches(text: str):
    """``_TITLE.finditer(text)``'s matches, found from each year in the text (a search from every
    position of a long line costs a millisecond): a title's year starts at most 60 characters
    after its start, with no line break or cell border between."""
    for y in _YEAR_YEAR.finditer(text):
        pos = y.start()
        start = max(0, pos - 60, text.rfind("|", 0, pos) + 1, text.rfind("\n", 0, pos) + 1)
        m = _TITLE.match(text, start)
        if m is not None and m.start("year") == pos:
            yield m


def _pre_agency(m: re.Match) -> str | None:
    """The issuing body a title names before its year ("标题: 莆田市2008年度…"), if any."""
    pre = re.sub(r"\d+\s*号", "|", m["pre"].replace(" ", ""))  # a document number (莆统〔2020〕7号)
    tail = _AGENCY_TAIL.search(pre)
    return _clean_agency(tail.group(1)) if tail else None


def _mid_agency(m: re.Match) -> str | None:
    """The issuing body a title names after its year ("2019年上海市人民政府办公厅政府信息…")."""
    head = _AGENCY_HEAD.search(m["mid"].replace(" ", ""))
    return _clean_agency(head.group(1)) if head else None


def _names_agency(m: re.Match) -> bool:
    return _pre_agency(m) is not None or _mid_agency(m) is not None


def _is_reference(text: str, m: re.Match) -> bool:
    """The title names a notice about reports (…年度报告有关事项的通知), not this report."""
    after = text[m.end():].lstrip(" 》\"”")
    return after.startswith(_boilerplate()[1])


def find_title(lines: list[str]) -> tuple[int, re.Match, str] | None:
    """The first text that reads like a report title (skipping metadata-field lines), with its
    line index and the text it was found in."""
    for i, text in _title_candidates(lines):
        if "内容概括" in text or "信息公开" not in text or not _YEAR_YEAR.search(text):
            continue  # (every _TITLE match holds 信息公开 and a year: a text without them is not searched)
        for m in _title_matches(text):
            if len(text) >= _LONG_LINE and m.start("year") > _TITLE_HEAD:
                break
            if not _is_reference(text, m):
                return i, m, text
    for i, line in enumerate(lines):
        line = line.strip().rstrip("| ")
        m = _OTHER_TITLE.search(line) if len(line) <= 60 and "政务公开" in line else None
        if m:
            return i, m, line


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
        i, m, text = title
        md.report_year = int(m["year"])
        pre = m["pre"].replace(" ", "")
        title_agency = _pre_agency(m) or _mid_agency(m)
        if title_agency is None and i > 0 and not pre.strip(" |:"):
            # a title set on two lines (PDF cover: "淮安市人民政府" / "2024 年政府信息公开…")
            prev = lines[i - 1].strip().replace(" ", "")
            if _AGENCY_LINE.match(prev):
                title_agency = _clean_agency(prev)
        body = text[m.start("year"):m.end()].strip()
        md.title = title_agency + body if title_agency and pre.endswith(title_agency) else body
        for kind, pattern in _NOT_ANNUAL:
            if pattern.search(md.title):
                md.document_kind = kind
                break
    field_agency = None
    fm = _FIELD_AGENCY.search(head_text)
    if fm:
        field_agency = _clean_agency(fm.group(1))
    # The 发布机构 field may give the same body with its places (湖州市南浔区人民政府 for a
    # title's 南浔区人民政府): then it is preferred. A longer name that only starts with the
    # title's (平潭综合实验区管委会办公室 for 平潭综合实验区) is the office that published it.
    if field_agency and (not title_agency or (field_agency.endswith(title_agency) and field_agency != title_agency)):
        md.agency_name = field_agency
    else:
        md.agency_name = title_agency
    if md.report_year is None:  # (Word runs break the sentence: "2019" / "年数据的统计期限为")
        pm = _PERIOD.search("".join(line.strip() for line in lines))
        if pm:
            md.report_year = int(pm.group(2) or pm.group(1))
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

"""Render a :class:`~tests.generator.spec.ReportSpec` as a complete report file.

``render(spec, layout=…, fmt=…, perturbations=…, rng=…, encoding=…) -> (filename, bytes)``

The rng only decides presentation (title form, metadata style, which label gets a space,
which zero cell is printed blank, prose wording …), never a value a parser must read: the
expected values depend on the spec, the layout and the perturbation set alone
(``expected.py``). Labels and ids come from ``nianbao.vocabulary.loader.load()``; what is listed here is
test data about how real reports deviate from them (format-spec §4).
"""
from __future__ import annotations

import html as _html
import io
import os
import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

from nianbao.vocabulary.loader import load

from .printing import ONE_CELL_A_LINE, t2_tokens, t3_tokens, t4_tokens
from .spec import (
    ReportSpec,
    t2_items,
    t2_measures,
    t3_cols,
    t4_cols,
    t4_rows,
)

FORMATS = ("txt", "html", "pdf", "docx")
TEXT_LAYOUTS = ("pipe", "cell_per_line", "lines_no_pipes", "tab", "markdown", "whitespace", "no_separator",
                "flattened", "drop_blank", "ocr_markdown")
LAYOUTS: dict[str, tuple[str, ...]] = {
    "txt": TEXT_LAYOUTS,
    "html": ("grid",),
    "pdf": ("grid", "whitespace", "no_separator"),  # ruled table / plain text lines without ruling
    "docx": ("grid", "template"),  # built with python-docx / a filled copy of blank-2021-template.docx
}
# Layouts where an empty cell leaves no trace, so blank cells cannot be printed.
BLANK_FREE_LAYOUTS = frozenset({"lines_no_pipes", "whitespace", "no_separator", "flattened"})
PERTURBATIONS = frozenset({
    "traditional_proper", "traditional_charlevel", "zh_tw_phrases", "pinyin_debris", "spam_header",
    "lost_glyphs", "fullwidth_digits", "split_labels", "label_variants", "text_cells", "blank_cells",
    "repeated_metadata", "extra_local_row", "missing_tables",
    "page_numbers",  # "- 3 -" page footers (PDF; txt whitespace/no_separator), as in hongze-2024
    "long_document",  # a report of real length: every section in several paragraphs; a PDF set as a 公文 (4–8 pages)
    "running_header",  # a header line (and rule) on every page (PDF; txt whitespace/no_separator)
    "word_breaks",  # Word line breaks inside numbers and labels (lines_no_pipes), as in real corpus 12
    "slipped_labels",  # Markdown rows whose labels slipped onto lines of their own (markdown), real corpus 15
})
TRADITIONAL = frozenset({"traditional_proper", "traditional_charlevel"})
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16")
EXTENSIONS = {"txt": "txt", "html": "html", "pdf": "pdf", "docx": "docx"}
SHARED = Path(os.environ.get("NIANBAO_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
TEMPLATE_DOCX = SHARED / "real-reports" / "blank-2021-template.docx"


class UnsupportedCombination(ValueError):
    """The spec × layout × format × perturbations × encoding cannot be rendered (see why_unsupported)."""


def why_unsupported(spec: ReportSpec, layout: str, fmt: str, perturbations=frozenset(),
                    encoding: str | None = None) -> str | None:
    """None when the combination renders; otherwise the reason it cannot."""
    p = frozenset(perturbations)
    if fmt not in FORMATS:
        return f"unknown format {fmt!r}"
    if layout not in LAYOUTS[fmt]:
        return f"layout {layout!r} is not available for {fmt} (choose from {LAYOUTS[fmt]})"
    unknown = p - PERTURBATIONS
    if unknown:
        return f"unknown perturbations {sorted(unknown)}"
    if p >= TRADITIONAL:
        return "traditional_proper and traditional_charlevel exclude each other"
    if encoding not in (None, *ENCODINGS):
        return f"unknown encoding {encoding!r}"
    if fmt in ("pdf", "docx") and encoding not in (None, "utf-8"):
        return f"{fmt} has no text encoding choice"
    if encoding == "big5":
        if not p & TRADITIONAL:
            return "big5 only for traditional text"
        if "pinyin_debris" in p:
            return "pinyin tone letters (yè) are not in big5"
    if layout in BLANK_FREE_LAYOUTS and "missing_tables" not in p:
        if spec.has_blanks:
            return f"{layout} cannot show blank cells (render a spec made with blank_rate=0)"
        if "blank_cells" in p:
            return f"{layout} cannot show blank cells"
    if "extra_local_row" in p and spec.template != "2019":
        return "其他主动公开文件 is a 2019-template local row (Hubei 2020)"
    if "repeated_metadata" in p and not spec.show_metadata:
        return "repeated_metadata needs a spec with show_metadata"
    if "page_numbers" in p and not (fmt == "pdf" or layout in ("whitespace", "no_separator")):
        return "page numbers only in PDF-like layouts"
    if "running_header" in p and not (fmt == "pdf" or layout in ("whitespace", "no_separator")):
        return "page headers only in PDF-like layouts"
    if "word_breaks" in p and not (fmt == "txt" and layout in ONE_CELL_A_LINE):
        return "word_breaks: numbers broken over lines in one-cell-per-line text (lines_no_pipes)"
    if "slipped_labels" in p and layout != "markdown":
        return "slipped_labels: a Markdown extraction's (markdown)"
    if layout == "drop_blank" and "blank_cells" in p:
        return "drop_blank cannot show a blank 总计 (the row's last printed number is its total)"
    if layout == "template":
        if spec.template != "2021":
            return "the blank Word template is the 2021 template"
        if not TEMPLATE_DOCX.is_file():
            return f"{TEMPLATE_DOCX} not found"
    return None


# ---------------------------------------------------------------- text transforms

_CHARLEVEL = str.maketrans({"範": "范", "於": "于", "後": "后", "複": "復", "係": "系", "並": "并", "製": "制"})
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ASCII_PUNCT = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})
_PINYIN = {
    "业": "yè", "業": "yè", "网": "wǎng", "網": "wǎng", "务": "wù", "務": "wù", "开": "kāi", "開": "kāi",
    "发": "fā", "發": "fā", "个": "gè", "個": "gè", "稳": "wěn", "穩": "wěn", "关": "guān", "關": "guān",
    "实": "shí", "實": "shí", "现": "xiàn", "現": "xiàn", "进": "jìn", "進": "jìn", "国": "guó", "國": "guó",
    "华": "huá", "華": "huá", "民": "mín", "中": "zhōng", "态": "tài", "態": "tài", "创": "chuàng",
    "創": "chuàng", "数": "shù", "數": "shù", "据": "jù", "據": "jù",
}
_PINYIN_RE = re.compile("[" + "".join(_PINYIN) + "]")


@cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_traditional(text: str, charlevel: bool = False) -> str:
    """s2tw (Taiwan-standard characters, Big5-safe); ``charlevel`` keeps the simplified forms a
    character-level converter leaves (PJ21: 規范, 屬于, 補正后, 復議后, 關系)."""
    out = _opencc("s2tw").convert(text)
    return out.translate(_CHARLEVEL) if charlevel else out


# ---------------------------------------------------------------- table model

@dataclass
class TC:
    text: str
    rs: int = 1
    cs: int = 1
    kind: str = "value"  # header | article | group | label | value
    role: str = ""  # outer / inner for group labels; row id for labels
    br: int | None = None  # HTML/DOCX: a line break after this many characters (本年新<br/>制作数量)


@dataclass
class Tab:
    name: str  # t2 | t3 | t4
    rows: list[list[TC]]
    width: int

    def slots(self) -> list[list[TC | None | bool]]:
        """Grid of slots: the TC at its top-left slot, True where a span covers, None if empty."""
        grid: list[list] = [[None] * self.width for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for tc in row:
                while c < self.width and grid[r][c] is not None:
                    c += 1
                if c >= self.width:
                    raise AssertionError(f"{self.name} row {r} overflows its width")
                grid[r][c] = tc
                for dr in range(tc.rs):
                    for dc in range(tc.cs):
                        if dr or dc:
                            grid[r + dr][c + dc] = True
                c += tc.cs
        return grid


# ---------------------------------------------------------------- render context

@dataclass
class _Ctx:
    spec: ReportSpec
    layout: str
    fmt: str
    p: frozenset
    rng: random.Random
    encoding: str
    ascii_punct: bool = False
    cache: dict = field(default_factory=dict)

    @property
    def traditional(self) -> bool:
        return bool(self.p & TRADITIONAL)

    def out(self, text: str, kind: str) -> str:
        """Apply the document-wide text perturbations to one printed string."""
        if self.p & TRADITIONAL:
            text = to_traditional(text, "traditional_charlevel" in self.p)
        if "pinyin_debris" in self.p and kind in ("prose", "label"):
            rate = 0.25 if kind == "prose" else 0.08
            text = _PINYIN_RE.sub(lambda m: m.group(0) + (f"({_PINYIN[m.group(0)]})" if self.rng.random() < rate else ""), text)
        if "fullwidth_digits" in self.p and kind in ("prose", "value"):
            text = text.translate(_FULLWIDTH)
        if self.ascii_punct:
            text = text.translate(_ASCII_PUNCT)
        return text


# ---------------------------------------------------------------- labels

_NUM_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、])")
_OUTER_GROUP = "三、本年度办理结果"  # group label of table 三 (no numbers of its own)
_T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICANT_HEADER = "申请人情况"
_INFO_HEADER = "信息内容"
# Template wording the vocabulary (which keeps one label per id) does not carry.
_TEMPLATE_LABELS = {("2021", "normative_documents"): "行政规范性文件"}
# Known label variants and typos (format-spec §4.2, real-reports README): test data.
_LABEL_VARIANTS: dict[str, tuple[str, str]] = {
    "internal_typo": ("三类内部事务信息", "三类内容事务信息"),
    "partial_note": ("只计这一情形，不计其他情形", "只计这一情况，不计其他情况"),
    "comma_for_dunhao": ("、行政机关不再处理", "，行政机关不再处理"),
    "prohibited_typo": ("其他法律行政法规禁止公开", "其他法律行政止公开"),
    "unquoted": ("危及“三安全一稳定”", "危及三安全一稳定"),
    "annotated_regulations": ("规章", "规章（设区的市、自治州人民政府应提供相关数据）"),
}
_OTHER_VARIANTS = ("numbering_dunhao", "truncated_header", "old_normative_label")


class _Labels:
    def __init__(self, ctx: _Ctx):
        self.ctx = ctx
        self.v = load()
        rng = ctx.rng
        self.variants: set[str] = set()
        if "label_variants" in ctx.p:
            pool = list(_LABEL_VARIANTS) + list(_OTHER_VARIANTS)
            self.variants = {x for x in pool if rng.random() < 0.6} or {rng.choice(pool)}
        self._cache: dict[tuple[str, str], str] = {}

    def fn(self, text: str, kind: str) -> str:
        """Label perturbations (simplified text, before the script conversion)."""
        key = (text, kind)
        if key in self._cache:
            return self._cache[key]
        p, rng = self.ctx.p, self.ctx.rng
        out = text
        for name in self.variants:
            if name in _LABEL_VARIANTS:
                old, new = _LABEL_VARIANTS[name]
                if name == "annotated_regulations":
                    out = new if out == old else out
                else:
                    out = out.replace(old, new)
        if "numbering_dunhao" in self.variants and kind == "label":
            out = re.sub(r"^(\d)\.", r"\1、", out)
        if "zh_tw_phrases" in p and kind in ("label", "header"):
            out = out.replace("文件", "档案")
        if "split_labels" in p:
            out = _split_label(out, kind, rng)
        self._cache[key] = out
        return out

    def t3_row(self, row: str) -> str:
        v = self.v
        for f in v.flows:
            if f.id == row:
                return self.fn(f.label_zh, "label")
        if row == v.t3_total_row.id:
            return self.fn(v.t3_total_row.label_zh, "label")
        return self.fn(next(o.label_zh for o in v.outcomes if o.id == row), "label")

    def category(self, cat: str) -> str:
        return self.fn(next(c.label_zh for c in self.v.outcome_categories if c.id == cat), "group")

    def applicant(self, col: str) -> str:
        if col == "total":
            return self.fn(self.v.t3_total_column.label_zh, "header")
        return self.fn(next(a.label_zh for a in self.v.applicant_types if a.id == col), "header")

    def legal_group(self) -> str:
        label = next(g["label_zh"] for g in self.v.raw["applicant_groups"] if g["id"] == "legal_person_or_org")
        return self.fn(label, "header")

    def result(self, col: str) -> str:
        if col == "total":
            return self.fn(self.v.t4_total_column.label_zh, "header")
        return self.fn(next(r.label_zh for r in self.v.results if r.id == col), "header")

    def proceeding(self, pid: str) -> tuple[str, str | None]:
        """(top header, sub header): 行政复议 has no sub header; lawsuits print 行政诉讼 above."""
        label = next(p.label_zh for p in self.v.proceedings if p.id == pid)
        if "·" in label:
            top, sub = label.split("·", 1)
            return self.fn(top, "header"), self.fn(sub, "header")
        return self.fn(label, "header"), None

    def item(self, item: str) -> str:
        t = self.ctx.spec.template
        label = _TEMPLATE_LABELS.get((t, item)) or next(i.label_zh for i in self.v.disclosure_items if i.id == item)
        if "old_normative_label" in self.variants and item == "normative_documents":
            label = next(i.label_zh for i in self.v.disclosure_items if i.id == item)
        return self.fn(label, "label")

    def measure(self, measure: str) -> str:
        m = next(x for x in self.v.disclosure_measures if x["id"] == measure)
        label = m["label_zh"]
        if " / " in label:  # "处理决定数量 / 本年处理决定数量": one wording per template
            templates = str(m["template"]).split(",")
            parts = label.split(" / ")
            label = parts[min(templates.index(self.ctx.spec.template), len(parts) - 1)]
        if ("truncated_header" in self.variants and measure in ("newly_made_count", "newly_published_count")
                and self.ctx.fmt == "txt"):
            return "本年新"  # NX20: only the first line of 本年新<br/>制作数量 survived
        return self.fn(label, "header")

    def article(self, item: str) -> str:
        raw = next(d for d in self.v.raw["disclosure_items"] if d["id"] == item)
        return raw["article"]


def _split_label(text: str, kind: str, rng: random.Random) -> str:
    """Spaces inside labels (PJ21 "商業 企業", "(三) 不予公開"; hongze "只计这一情 形")."""
    m = _NUM_PREFIX.match(text)
    start = m.end() if m else 0
    body = text[start:]
    if kind == "group" and m:
        return text[:start] + " " + body if rng.random() < 0.8 else text
    chance = {"header": 0.7, "label": 0.25}.get(kind, 0.0)
    if len(body) < 4 or rng.random() >= chance:
        return text
    i = rng.randint(2, len(body) - 2)
    if body[i] in "减增+-0123456789“”（）()" or body[i - 1] in "“（(":
        return text
    return text[:start] + body[:i] + " " + body[i:]


# ---------------------------------------------------------------- value texts

def _num(x) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return str(int(x))


_T4_NOTES = ("准予撤诉", "驳回起诉", "撤回申请", "终止审理")


def _t3_text(ctx: _Ctx, row: str, col: str, leaves: set[str]) -> str:
    val = ctx.spec.t3[(row, col)]
    if "blank_cells" in ctx.p:
        if row in leaves and col == "total":
            return ""  # SH19: no printed 总计 in leaf rows
        if val == 0 and col != "total" and row != load().t3_total_row.id and ctx.rng.random() < 0.7:
            return ""
    return "" if val is None else str(val)


def _t4_text(ctx: _Ctx, p: str, col: str) -> str:
    val = ctx.spec.t4[(p, col)]
    if val is None:
        return ""
    if "blank_cells" in ctx.p and val == 0 and col != "total" and ctx.rng.random() < 0.5:
        return ""
    if ("text_cells" in ctx.p and col == "other" and val > 0 and ctx.layout != "no_separator"
            and ctx.rng.random() < 0.7):
        return f"{val}{ctx.rng.choice(_T4_NOTES)}"  # NX20: 13准予撤诉
    return str(val)


def _t2_text(ctx: _Ctx, value) -> str:
    if isinstance(value, tuple):
        number, printed = value
        return printed if "text_cells" in ctx.p else _num(number)
    return _num(value)


# ---------------------------------------------------------------- tables

def _table2(ctx: _Ctx, L: _Labels) -> Tab:
    spec = ctx.spec
    items = t2_items(spec.template, local_row="extra_local_row" in ctx.p)
    width = 4
    rows: list[list[TC]] = []
    article = None
    for item in items:
        measures = t2_measures(spec.template, item)
        art = L.article(item)
        if art != article:
            article = art
            rows.append([TC(ctx.out(art, "label"), cs=width, kind="article")])
            head = [TC(ctx.out(L.fn(_INFO_HEADER, "header"), "label"), kind="header")]
            for i, m in enumerate(measures):
                text = L.measure(m)
                br = 3 if m in ("newly_made_count", "newly_published_count") and text.startswith("本年新") and len(text) > 3 else None
                cs = width - len(measures) if i == len(measures) - 1 else 1
                head.append(TC(ctx.out(text, "label"), cs=cs, kind="header", br=br))
            rows.append(head)
        source = spec.other_local_t2 if item == "other_proactive_documents" else spec.t2
        row = [TC(ctx.out(L.item(item), "label"), kind="label", role=item)]
        for i, m in enumerate(measures):
            cs = width - len(measures) if i == len(measures) - 1 else 1
            row.append(TC(ctx.out(_t2_text(ctx, source[(item, m)]), "value"), cs=cs))
        rows.append(row)
    return Tab("t2", rows, width)


def _table3(ctx: _Ctx, L: _Labels) -> Tab:
    spec, v = ctx.spec, load()
    out = lambda s, k="label": ctx.out(s, k)  # noqa: E731
    cols = t3_cols()
    legal = cols[1:-1]
    rows: list[list[TC]] = [
        [TC(out(L.fn(_T3_NOTE, "note")), rs=3, cs=3, kind="header"),
         TC(out(L.fn(_APPLICANT_HEADER, "header")), cs=7, kind="header")],
        [TC(out(L.applicant("natural_person")), rs=2, kind="header"),
         TC(out(L.legal_group()), cs=5, kind="header"),
         TC(out(L.applicant("total")), rs=2, kind="header")],
        [TC(out(L.applicant(c)), kind="header") for c in legal],
    ]
    leaves = [o for o in v.outcomes_for(spec.template)]
    leaf_ids = {o.id for o in leaves}
    by_cat: dict[str, list[str]] = {}
    for o in leaves:
        by_cat.setdefault(o.group, []).append(o.id)
    tp = v.t3_total_row.id

    def values(row: str) -> list[TC]:
        return [TC(out(_t3_text(ctx, row, c, leaf_ids), "value")) for c in cols]

    for row in spec.t3_rows:
        cells: list[TC] = []
        if row in leaf_ids or row == tp:
            if row == leaves[0].id:
                cells.append(TC(out(L.fn(_OUTER_GROUP, "group")), rs=len(leaves) + 1, kind="group", role="outer"))
            cat = next((o.group for o in leaves if o.id == row), None)
            if row == tp or len(by_cat[cat]) == 1:
                cells.append(TC(out(L.t3_row(row)), cs=2, kind="label", role=row))
            else:
                if by_cat[cat][0] == row:
                    cells.append(TC(out(L.category(cat)), rs=len(by_cat[cat]), kind="group", role="inner"))
                cells.append(TC(out(L.t3_row(row)), kind="label", role=row))
        else:
            cells.append(TC(out(L.t3_row(row)), cs=3, kind="label", role=row))
        rows.append(cells + values(row))
    return Tab("t3", rows, 10)


def _table4(ctx: _Ctx, L: _Labels) -> Tab:
    out = lambda s, k="label": ctx.out(s, k)  # noqa: E731
    results = t4_cols()
    procs = t4_rows()
    top_review, _ = L.proceeding(procs[0])
    top_lawsuit, _ = L.proceeding(procs[1])
    row0 = [TC(out(top_review), cs=5, kind="header"), TC(out(top_lawsuit), cs=10, kind="header")]
    row1 = [TC(out(L.result(r)), rs=2, kind="header") for r in results]
    row1 += [TC(out(L.proceeding(p)[1]), cs=5, kind="header") for p in procs[1:]]
    row2 = [TC(out(L.result(r)), kind="header") for _ in procs[1:] for r in results]
    data = [TC(out(_t4_text(ctx, p, r), "value")) for p in procs for r in results]
    return Tab("t4", [row0, row1, row2, data], 15)


# ---------------------------------------------------------------- prose

_SECTION_VARIANTS = {
    "proactive_disclosure": ("主动公开政府信息情况", "主动公开政府信息的情况"),
    "review_litigation": ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                          "政府信息公开行政复议和行政诉讼情况"),
    "problems_improvements": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "存在问题及改进情况"),
}
_NUMERALS = "一二三四五六七八九"

# Filler prose: no request figures (nothing a prose reader may mistake for one).
_FILLER_ACTIVE = (
    "坚持以公开为常态、不公开为例外，围绕中心工作，突出重点领域信息公开，持续提升政务公开质量。",
    "及时更新政府信息公开专栏，规范发布政策文件、财政预决算、重大建设项目等重点领域信息。",
    "加强政策解读，采用图文、视频等多种形式，增强政策解读的针对性和可读性。",
    "全年通过门户网站公开政府信息{n}条，通过政务新媒体发布信息{m}条。",
    "围绕优化营商环境，集中发布惠企政策，推动政策直达基层、直达企业。",
)
_FILLER_MANAGE = (
    "严格落实公开前保密审查机制，坚持“先审查、后公开”和“一事一审”原则。",
    "动态调整主动公开基本目录，对已公开信息进行清理，确保信息准确、完整。",
    "规范公文公开属性源头认定，将公开属性认定纳入公文办理流程。",
)
_FILLER_PLATFORM = (
    "优化政府网站信息公开专栏设置，提升栏目信息的规范性和时效性。",
    "加强政务新媒体管理，定期开展巡查，确保内容更新及时、回应互动规范。",
    "在办事大厅设置政务公开专区，提供查阅服务和咨询服务。",
)
_FILLER_OVERSIGHT = (
    "将政务公开工作纳入年度绩效考核，组织业务培训{n}次，全年无责任追究情况。",
    "主动接受社会监督，畅通意见建议渠道，对发现的问题及时整改。",
    "明确专人负责政府信息公开日常工作，健全工作机制，落实主体责任。",
)
_FILLER_PROBLEMS = (
    "一是政务公开工作人员业务水平有待进一步提高；二是政策解读的形式还不够丰富；三是主动公开的深度和广度有待拓展。",
    "下一步，将加强业务培训，提升工作人员能力；丰富解读形式，增强解读效果；进一步拓展公开内容，提高公开质量。",
    "部分栏目更新不够及时，公开内容的系统性仍有不足。将健全常态化检查机制，推动政务公开工作规范化、标准化。",
)
# More of the same, for long_document (real reports run to 4–8 A4 pages): still no request figures.
_LONG_OVERVIEW = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署。",
    "围绕中心工作，以完善信息公开制度、推进公开平台建设为抓手，全面推动政务公开工作提质增效。",
    "持续深化决策、执行、管理、服务、结果公开，不断提升政务公开标准化规范化水平，有力服务保障经济社会高质量发展。",
    "对照年度政务公开工作要点，逐项分解任务，明确责任分工和完成时限，确保各项工作落地见效。",
)
_LONG_ACTIVE = (
    "聚焦群众关切，及时发布涉及民生保障、就业创业、教育医疗、住房保障等方面的政策文件。",
    "严格落实重大行政决策预公开制度，决策草案通过门户网站公开征求社会公众意见，并及时反馈意见采纳情况。",
    "规范开展政府常务会议公开，会议议定事项及时向社会公开，接受社会监督。",
    "加大财政信息公开力度，按要求公开部门预决算和“三公”经费预决算，细化公开到项级科目。",
    "推进基层政务公开标准化规范化，动态更新基层政务公开事项标准目录，实现线上线下同步更新。",
    "围绕重大建设项目批准和实施、公共资源配置、社会公益事业建设等领域，全面公开项目审批、实施和结果信息。",
)
_LONG_MANAGE = (
    "建立健全政府信息发布审核机制，严格执行“分级审核、先审后发”程序，落实“三审三校”制度。",
    "从严从实把好政治关、法律关、政策关、保密关、文字关，未经审核的信息一律不得发布。",
    "开展行政规范性文件清理工作，对已失效、废止的文件及时进行标注，确保公开文件合法有效。",
    "加强对公开信息中个人隐私等内容的保护，定期开展排查，及时处理发现的问题。",
)
_LONG_PLATFORM = (
    "加强对政府网站和政务新媒体的动态监管，按照管理标准定期检查，对存在未及时更新、不良链接等问题的账号进行督促整改。",
    "运用第三方检测平台对政府网站和政务新媒体实行常态化监测，确保平台安全平稳运行。",
    "优化政府信息公开专栏目录设置，规范栏目名称和内容，提升信息检索的便捷性。",
    "依托政务服务中心、图书馆、档案馆等场所设立政府信息公开查阅点，方便群众就近查阅。",
)
_LONG_OVERSIGHT = (
    "成立政务公开工作领导小组，主要负责同志定期听取政务公开工作汇报，研究部署重点任务。",
    "将政务公开工作纳入高质量发展综合考核内容，促进信息公开工作持续向好。",
    "紧盯重要时间节点，保障政务新媒体安全平稳运行，及时转载党中央、国务院重大方针政策。",
    "采取集中培训和以会代训相结合的方式，提高工作人员的政策水平和业务能力。",
)
_LONG_PROBLEMS = (
    "一是政策解读质量有待进一步提高，解读形式不够丰富，图解、视频等解读方式运用不多。",
    "二是基层政务公开标准化规范化建设仍需加强，部分事项目录更新不够及时。",
    "三是政务公开队伍建设有待加强，工作人员流动性较大，业务能力参差不齐。",
    "针对上述问题，将进一步加强政策解读，丰富解读形式，提升解读的针对性和实效性。",
    "持续推进基层政务公开标准化规范化建设，动态调整公开事项标准目录，确保公开内容准确完整。",
    "加强业务培训和工作指导，定期组织交流学习，不断提升政务公开工作人员的能力和水平。",
)
_LONG_OTHER = (
    "按照年度政务公开工作要点要求，认真落实各项任务，相关情况已在政府门户网站专栏公开。",
    "本年度未发生因政府信息公开引发的重大舆情事件。",
    "人大代表建议和政协提案办理结果已按规定在门户网站公开。",
)

_SPAM = (
    "澳门新葡京官方网站-最新版APP下载",
    "欧洲杯体育竞猜平台【官网入口】",
    "皇冠体育投注-首页",
    "AG真人视讯 - 官方直营",
    "棋牌游戏平台-注册即送",
)


def _lost_glyphs(text: str) -> str:
    """Styled spans lost: 年/月 vanish from dates, 〕 from document numbers (QZ20, WS22)."""
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"\1\2\3日", text)
    text = re.sub(r"(\d{1,2})月(\d{1,2})日", r"\1\2日", text)
    return re.sub(r"〔(\d{4})〕", r"〔\1", text)


def _prose_figures_sentence(ctx: _Ctx) -> str:
    spec, rng = ctx.spec, ctx.rng
    f = spec.prose
    v = load()

    def total(row: str) -> int:
        val = spec.t3[(row, "total")]
        return val if val is not None else sum(spec.t3[(row, c)] or 0 for c in t3_cols()[:-1])

    carry = total("carried_over_from_previous_year")
    other = sum(total(o.id) for o in v.outcomes_for(spec.template) if o.group == "other")
    g, p, d, u, n = (f["granted"], f["partially_granted"], f["denied_unspecified"],
                     f["unable_to_provide_unspecified"], f["not_processed_unspecified"])
    form = rng.randrange(3)
    if form == 0:
        return (f"全年共新收政府信息公开申请{f['new_received']}件，办结政府信息公开申请{f['total_processed']}件。"
                f"其中，依法予以公开{g}件，部分公开{p}件，不予公开{d}件，无法提供{u}件，不予处理{n}件。")
    if form == 1:
        return (f"本年度共收到政府信息公开申请{f['new_received']}件，答复政府信息公开申请{f['total_processed']}件"
                f"（含上年度结转申请{carry}件），其中予以公开{g}件，部分公开{p}件，不予公开{d}件，"
                f"无法提供{u}件，不予处理{n}件，其他处理{other}件。")
    return (f"{spec.report_year}年，全年共办结政府信息公开申请件{f['total_processed']}件，"
            f"本年度新收政府信息公开申请{f['new_received']}件。依法予以公开{g}件，部分公开{p}件，"
            f"不予公开{d}件，无法提供{u}件，不予处理{n}件。")


def _fill(rng: random.Random, bank: tuple[str, ...], k: int) -> str:
    picked = rng.sample(bank, min(k, len(bank)))
    return "".join(s.format(n=rng.randint(3, 900), m=rng.randint(3, 400)) for s in picked)


def _title(ctx: _Ctx) -> str:
    spec, rng = ctx.spec, ctx.rng
    agency = spec.agency
    if spec.show_metadata and spec.short_agency and rng.random() < 0.3:
        agency = spec.short_agency  # NX20: the title names 南浔区人民政府, 发布机构 the full name
    y = spec.report_year
    forms = (
        f"{agency}{y}年政府信息公开工作年度报告",
        f"{agency}{y}年度政府信息公开工作年度报告",
        f"{agency}{y}年度政府信息公开工作报告",
        f"{y}年{agency}政府信息公开工作年度报告",
        f"{agency}{y}年政府信息公开工作的年度报告",
        f"{agency}{y}年政务信息公开年度报告",
    )
    return rng.choices(forms, weights=(40, 15, 12, 12, 6, 3))[0]


def _heading(ctx: _Ctx, number: int, sid: str) -> str:
    label = next(s.label_zh for s in load().sections if s.id == sid)
    if sid in _SECTION_VARIANTS and ctx.rng.random() < 0.4:
        label = ctx.rng.choice(_SECTION_VARIANTS[sid])
    sep = "、 " if sid == "other_matters" and ctx.rng.random() < 0.2 else "、"
    return f"{_NUMERALS[number - 1]}{sep}{label}"


# ---------------------------------------------------------------- document

@dataclass
class _Meta:
    index_number: str
    agency: str
    date: str
    year: int
    style: str  # pipe | inline | lines
    repeated: bool
    opening: str


def _date_text(rng: random.Random, iso: str) -> str:
    y, m, d = iso.split("-")
    return rng.choice((iso, iso, f"{y}年{m}月{d}日", f"{y}/{m}/{d}"))


def _document(ctx: _Ctx) -> list[tuple[str, object]]:
    spec, rng, p = ctx.spec, ctx.rng, ctx.p
    L = _Labels(ctx)
    web = ctx.fmt in ("txt", "html")
    blocks: list[tuple[str, object]] = []
    if "spam_header" in p:
        blocks.append(("spam", [ctx.out(s, "chrome") for s in rng.sample(_SPAM, rng.randint(1, 3))]))
    chrome = web and rng.random() < 0.7
    if chrome:
        crumbs = ("当前位置：首页 > 信息公开 > 政府信息公开年报", "首页 > 政务公开 > 政府信息公开工作年度报告",
                  "您当前的位置：首页 > 政府信息公开 > 年度报告")
        blocks.append(("chrome", [ctx.out(rng.choice(crumbs), "chrome")]))
    fmt_doc, doc_no = (("中华人民共和国政府信息公开工作年度报告格式（试行）", "〔2019〕60号") if spec.template == "2019"
                       else ("中华人民共和国政府信息公开工作年度报告格式", "〔2021〕30号"))
    y = spec.report_year
    preamble = (f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《{fmt_doc}》（国办公开办函{doc_no}）"
                f"要求，编制本报告。本报告中所列数据统计期限为{y}年1月1日至{y}年12月31日。"
                f"本报告电子版可在{spec.agency}门户网站查阅或下载。如对本报告有任何疑问，请与{spec.agency}办公室联系。")
    if "lost_glyphs" in p:
        preamble = _lost_glyphs(preamble)
    if spec.show_metadata:
        style = "lines" if not web else rng.choice(("pipe", "inline", "lines"))
        if "repeated_metadata" in p and web:
            style = "pipe"
        meta = _Meta(spec.index_number, spec.agency, _date_text(rng, spec.published_on) if style != "inline" else spec.published_on,
                     y, style, "repeated_metadata" in p, preamble[:120])
        blocks.append(("meta", meta))
    title = _title(ctx)
    blocks.append(("title", ctx.out(title, "title")))
    if chrome and spec.show_metadata:
        info = (f"发布日期：{spec.published_on} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d} "
                f"浏览次数：{rng.randint(20, 9000)} 字体：[ 大 中 小 ]")
        blocks.append(("chrome", [ctx.out(info, "chrome")]))

    def para(text: str) -> None:
        if "lost_glyphs" in p:
            text = _lost_glyphs(text)
        blocks.append(("para", ctx.out(text, "prose")))

    def heading(n: int, sid: str) -> None:
        blocks.append(("heading", ctx.out(_heading(ctx, n, sid), "prose")))

    long = "long_document" in p
    paragraphs = rng.choice((1, 1, 2)) if long else 0  # huaian-2024 spends two pages on 一、总体情况

    def more(bank: tuple[str, ...], lo: int, hi: int) -> None:
        """long_document: more paragraphs of the section."""
        for _ in range(paragraphs):
            para(_fill(rng, bank, rng.randint(lo, hi)))

    blocks.append(("para", ctx.out(preamble, "prose")))
    heading(1, "overview")
    para(f"{y}年，{spec.agency}深入贯彻落实《条例》，" + _fill(rng, _FILLER_ACTIVE, 1))
    more(_LONG_OVERVIEW, 2, 4)
    para("（一）主动公开情况。" + _fill(rng, _FILLER_ACTIVE, 2))
    more(_LONG_ACTIVE, 3, 5)
    para("（二）依申请公开情况。" + _prose_figures_sentence(ctx))
    para("（三）政府信息管理情况。" + _fill(rng, _FILLER_MANAGE, 2))
    more(_LONG_MANAGE, 2, 4)
    para("（四）政府信息公开平台建设情况。" + _fill(rng, _FILLER_PLATFORM, 2))
    more(_LONG_PLATFORM, 2, 4)
    para("（五）监督保障情况。" + _fill(rng, _FILLER_OVERSIGHT, 2))
    more(_LONG_OVERSIGHT, 2, 4)
    tables = "missing_tables" not in p
    heading(2, "proactive_disclosure")
    if tables:
        blocks.append(("table", _table2(ctx, L)))
    heading(3, "requests")
    if tables:
        blocks.append(("table", _table3(ctx, L)))
    heading(4, "review_litigation")
    if tables:
        blocks.append(("table", _table4(ctx, L)))
    heading(5, "problems_improvements")
    para(_fill(rng, _FILLER_PROBLEMS, rng.randint(1, 2)))
    more(_LONG_PROBLEMS[:3], 2, 3)
    more(_LONG_PROBLEMS[3:], 2, 3)
    heading(6, "other_matters")
    if spec.template == "2021" and rng.random() < 0.5:
        para(rng.choice(("本年度未收取信息处理费。",
                         "按照《政府信息公开信息处理费管理办法》规定，本年度未发出收费通知，未收取信息处理费。")))
    else:
        para(rng.choice(("无。", "无。", "本年度无其他需要报告的事项。")))
    more(_LONG_OTHER, 1, 2)
    if web:
        top = spec.agency
        footer = [f"版权所有：{top}  主办单位：{top}办公室",
                  f"网站标识码：{rng.randint(10**9, 10**10 - 1)}  ICP备案序号：浙ICP备{rng.randint(10**7, 10**8 - 1)}号",
                  "技术支持：信息中心  联系电话：0571-8" + "".join(str(rng.randint(0, 9)) for _ in range(7))]
        blocks.append(("footer", [ctx.out(s, "chrome") for s in footer]))
    return blocks


def _meta_lines(ctx: _Ctx, meta: _Meta) -> list[str]:
    out = lambda s: ctx.out(s, "meta")  # noqa: E731
    if meta.style == "pipe":
        lines = [f"索 引 号: | {meta.index_number} | 公开方式: | 主动公开 |",
                 f"发布机构: | {meta.agency} | 发文日期: | {meta.date} |",
                 "文 号: | 公开时限: | 长期公开 | |",
                 f"内容概括: | {meta.opening} |"]
        if meta.repeated:  # NX20: the block again, one field per line
            lines += [f"索 引 号: | {meta.index_number} |", "公开方式: | 主动公开 |", f"发布机构: | {meta.agency} |",
                      f"发文日期: | {meta.date} |", "文 号: | |", "公开时限: | 长期公开 |", f"内容概括: | {meta.opening} |"]
    elif meta.style == "inline":
        lines = [f"索引号: {meta.index_number} 成文日期: {meta.date}",
                 f"公开方式: 主动公开 组配分类: {meta.year}年度",
                 f"发布机构: {meta.agency}"]
        if meta.repeated:
            lines = lines + lines
    else:
        lines = [f"索引号：{meta.index_number}", f"发布机构：{meta.agency}", f"发布日期：{meta.date}", "公开方式：主动公开"]
        if meta.repeated:
            lines = lines + lines
    return [out(s) for s in lines]


# ---------------------------------------------------------------- text layouts

_WRAP = 18  # characters of a label per printed line in PDF-like layouts


def _pipe_line(texts: list[str], pad: int) -> str:
    s = " | ".join(texts) + " |"
    return s + (" " + "|" * pad if pad else "")


def _slot_rows(tab: Tab) -> list[list[str]]:
    rows = []
    for slots in tab.slots():
        rows.append([s.text if isinstance(s, TC) else "" for s in slots])
    return rows


def _table_lines(ctx: _Ctx, tab: Tab) -> list[str]:
    layout, rng = ctx.layout, ctx.rng
    lines: list[str] = []
    if layout == "pipe":
        for row in tab.rows:
            lines.append(_pipe_line([tc.text for tc in row], tab.width - len(row)))
    elif layout == "cell_per_line":
        prev_inner = False
        for row in tab.rows:
            inside_group = any(tc.kind == "label" for tc in row) and not any(tc.kind == "group" for tc in row)
            if prev_inner and inside_group and rng.random() < 0.06:
                lines.append("|")  # PJ21: a rowspan placeholder before a sub-row
            for tc in row:
                lines.append(f"{tc.text} |" if tc.text else "|")
            pad = tab.width - len(row)
            if pad:
                lines.append("|" * pad)
            prev_inner = inside_group or any(tc.role == "inner" for tc in row)
    elif layout == "drop_blank" or (layout == "lines_no_pipes" and "word_breaks" in ctx.p):
        for labels, tokens in _token_rows(ctx, tab):
            for text in labels:
                lines += _label_lines(ctx, text) if tab.name == "t3" else [text]
            lines += tokens
    elif layout == "lines_no_pipes":
        for row in tab.rows:
            lines += [tc.text for tc in row if tc.text]
    elif layout == "tab":
        lines += ["\t".join(r) for r in _slot_rows(tab)]
    elif layout == "markdown":
        if tab.name == "t2":
            sub: list[list[TC]] = []
            for row in tab.rows + [[TC("", kind="article")]]:
                if row[0].kind == "article":
                    if sub:
                        lines += _markdown([[tc.text for tc in r] for r in sub])
                        lines.append("")
                        sub = []
                    if row[0].text:
                        lines.append(row[0].text)
                else:
                    sub.append(row)
        elif tab.name == "t3" and "slipped_labels" in ctx.p:
            lines += _markdown_slipped(ctx, tab)
        else:
            lines += _markdown(_slot_rows(tab))
    elif layout == "ocr_markdown":
        lines += _ocr_markdown(ctx, tab)
    else:  # whitespace, no_separator
        lines += _pdf_lines(ctx, tab)
    return lines


def _markdown_slipped(ctx: _Ctx, tab: Tab) -> list[str]:
    """A PDF-to-Markdown extraction that slipped labels out of their rows (real corpus 15): some
    data rows print their values alone, their label on a plain line just before or after them."""
    rng = ctx.rng
    slots = _slot_rows(tab)
    out = ["| " + " | ".join(slots[0]) + " |", "|" + "---|" * len(slots[0])]
    for r, (row, texts) in enumerate(zip(tab.rows, slots)):
        if r == 0:
            continue
        has_values = any(tc.kind == "value" for tc in row)
        if not has_values or rng.random() >= 0.35:
            out.append("| " + " | ".join(texts) + " |")
            continue
        labels = [t for t in texts[:len(texts) - 7] if t]
        pipe = "| " + " | ".join([""] * (len(texts) - 7) + texts[-7:]) + " |"
        if rng.random() < 0.5:
            out += labels + [pipe]
        else:
            out += [pipe] + labels
    return out


_OCR_DATA_HEADER = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |"  # (through ctx.out)
# a header an OCR pass copied from elsewhere into the table (real corpus 16)
_OCR_STRAY_HEADER = "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 结转下年度 | 总计 |"


def _ocr_markdown(ctx: _Ctx, tab: Tab) -> list[str]:
    """A Markdown transcription of an OCR pass (real corpus 16): table 二 one small table per
    article, table 三 one small table per row or group under its own heading (applicant columns
    renamed 数据1…数据6, sometimes a stray header row), table 四 three small tables of five."""
    rng = ctx.rng
    out: list[str] = []
    rule = lambda n: "|" + "---|" * n  # noqa: E731
    if tab.name == "t2":
        for row in tab.rows:
            if row[0].kind == "article":
                out += ["", f"### {row[0].text}"]
            elif row[0].kind == "header":
                texts = [tc.text for tc in row]
                out += ["| " + " | ".join(texts) + " |", rule(len(texts))]
            else:
                out.append("| " + " | ".join(tc.text for tc in row) + " |")
        return out
    if tab.name == "t4":
        v = load()
        heads = [L for L in ([p.label_zh.replace("·", "（") + ("）" if "·" in p.label_zh else "") for p in v.proceedings])]
        results = [tc.text for tc in tab.rows[2][:5]]
        data = [tc.text for tc in tab.rows[3]]
        for i, head in enumerate(heads):
            out += ["", f"### {ctx.out(head, 'label')}", "| " + " | ".join(results) + " |", rule(5),
                    "| " + " | ".join(data[i * 5:i * 5 + 5]) + " |"]
        return out
    stray = rng.random() < 0.5
    v = load()
    flows = {f.id for f in v.flows} - {"carried_forward_to_next_year"}
    single = {o.id for o in v.outcomes_for(ctx.spec.template)
              if sum(1 for x in v.outcomes_for(ctx.spec.template) if x.group == o.group) == 1}
    for row in tab.rows:
        values = [tc.text for tc in row if tc.kind == "value"]
        if not values:
            continue  # the header block: the OCR kept none of it
        label = next(tc for tc in row if tc.kind == "label")
        group = next((tc for tc in row if tc.kind == "group" and tc.role == "inner"), None)
        header = ctx.out(_OCR_DATA_HEADER, "label")
        if group is not None:
            out += ["", f"### {group.text}", header, rule(8)]
        elif label.role in flows or label.role in single:
            out += ["", f"### {label.text}", header, rule(8)]
        if label.role == "other_fee_unpaid_overdue" and stray:
            out += ["", ctx.out(_OCR_STRAY_HEADER, "label"), rule(8)]
        text = _NUM_PREFIX.sub("", label.text) if label.role in flows else label.text
        out.append("| " + " | ".join([text, *values]) + " |")
    return out


def _token_rows(ctx: _Ctx, tab: Tab) -> list[tuple[list[str], list[str]]]:
    """Each row of a table as (its label texts, the value tokens it prints, printing.py)."""
    spec, p = ctx.spec, ctx.p
    out = []
    for row in tab.rows:
        labels = [tc.text for tc in row if tc.kind != "value" and tc.text]
        if not any(tc.kind == "value" for tc in row):
            out.append((labels, []))
            continue
        if tab.name == "t3":
            role = next(tc.role for tc in row if tc.kind == "label")
            tokens = t3_tokens(spec, ctx.layout, p, role)
        elif tab.name == "t4":
            tokens = t4_tokens(spec, ctx.layout, p)
        else:
            item = next(tc.role for tc in row if tc.kind == "label")
            texts = [tc.text for tc in row if tc.kind == "value"]
            tokens = t2_tokens(spec, ctx.layout, [_ascii_digits(t) for t in texts], item)
            if len(tokens) == len(texts):
                tokens = tuple(texts)  # as printed (full-width digits kept)
        out.append((labels, [ctx.out(t, "value") for t in tokens]))
    return out


def _ascii_digits(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


def _label_lines(ctx: _Ctx, text: str) -> list[str]:
    """word_breaks: a long row label broken over two lines (never its numbering, never leaving a
    piece of one character, which a reader takes for a glyph of a vertical label)."""
    if "word_breaks" not in ctx.p or len(text) < 8 or ctx.rng.random() >= 0.25:
        return [text]
    m = _NUM_PREFIX.match(text)
    start = (m.end() if m else 0) + 2
    if start > len(text) - 2:
        return [text]
    k = ctx.rng.randint(start, len(text) - 2)
    return [text[:k], text[k:]]


def _markdown(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


@dataclass
class _Row:
    """A PDF-like printed row: label words and value columns on one line."""

    label: str
    values: list[str]
    run_together: bool = False

    def text(self) -> str:
        vals = "".join(self.values) if self.run_together else " ".join(self.values)
        return " ".join(x for x in (self.label, vals) if x)


def _pdf_lines(ctx: _Ctx, tab: Tab) -> list:
    """Lines for the whitespace / no_separator layouts: str for text lines, _Row for data rows."""
    rng = ctx.rng
    run = ctx.layout == "no_separator" and tab.name in ("t3", "t4")
    out: list = []
    vertical_outer = rng.random() < 0.5
    inserts: dict[int, list[str]] = {}
    prefixes: dict[int, list[str]] = {}  # group-label text printed at the start of a row's line
    vertical_t4_header = tab.name == "t4" and rng.random() < 0.35
    for r, row in enumerate(tab.rows):
        values = [tc.text for tc in row if tc.kind == "value"]
        if not values:
            texts = [tc.text for tc in row]
            if vertical_t4_header and r > 0:
                short = [t.replace(" ", "") for t in texts if len(t.replace(" ", "")) <= 4]
                long_ = [t for t in texts if len(t.replace(" ", "")) > 4]
                if long_:
                    out.append(" ".join(long_))
                for j in range(max((len(t) for t in short), default=0)):
                    out.append(" ".join(t[j] for t in short if j < len(t)))
            else:
                out.append(" ".join(texts))
            continue
        for tc in row:
            if tc.kind != "group":
                continue
            if tc.role == "outer" and vertical_outer:
                m = _NUM_PREFIX.match(tc.text.replace(" ", ""))
                body = tc.text.replace(" ", "")
                pieces = ([m.group(0)] if m else []) + list(body[m.end() if m else 0:])
                for k, piece in enumerate(pieces):
                    at = r + min(tc.rs - 1, int((k + 0.5) * tc.rs / len(pieces)))
                    inserts.setdefault(at, []).append(piece)
                continue
            # pdftotext layout text: a group label on the line of its first sub-row ("三、本年度办理结果
            # (一)予以公开 1 0 …"), or broken over its first two sub-rows ("(六)其 1.申请人…" / "他处理 2.…")
            m = _NUM_PREFIX.match(tc.text)
            body = tc.text[m.end() if m else 0:]
            how = rng.random()
            if tc.role == "inner" and tc.rs >= 2 and len(body) >= 3 and how < 0.2:
                k = rng.randint(1, len(body) - 2)
                prefixes.setdefault(r, []).append(tc.text[:len(tc.text) - len(body) + k])
                prefixes.setdefault(r + 1, []).append(body[k:])
            elif how < 0.5:
                prefixes.setdefault(r, []).append(tc.text)
            else:
                out.append(tc.text)  # on its own line, before its first row
        label = " ".join(prefixes.pop(r, []) + [tc.text for tc in row if tc.kind == "label"])
        if len(label) > _WRAP:
            head, tail = label[:_WRAP].rstrip(), label[_WRAP:].strip()
            if rng.random() < 0.6:
                out += [_Row(head, values, run), tail]
            else:  # huaian-2024: the numbers sit between the two lines of the label
                out += [head, _Row("", values, run), tail]
        else:
            out.append(_Row(label, values, run))
        out += inserts.pop(r, [])
    return out


def _lines_text(items: list) -> list[str]:
    return [it.text() if isinstance(it, _Row) else it for it in items]


def _flat_table(ctx: _Ctx, tab: Tab) -> str:
    """A table flattened into running text (real corpus 17–19, 22): header words, then each row's
    labels and its value tokens, the cells of a row run together (printing.py)."""
    rng = ctx.rng
    parts: list[str] = []
    for labels, tokens in _token_rows(ctx, tab):
        text = " ".join(labels) if rng.random() < 0.5 else "".join(labels)
        if tokens:
            text += rng.choice(("", " ")) + " ".join(tokens)
        parts.append(text)
    out = parts[0]
    for part in parts[1:]:
        # a label broken by a space (split_labels) keeps a space from the number before it:
        # glued, its first part reads as a note printed in the cell ("12规范性 文件")
        sep = " " if " " in part.split(" | ")[0][:8] and out[-1:].isdigit() else rng.choice(("", "", " "))
        out += sep + part
    return out


def _emit_flattened(ctx: _Ctx, blocks) -> str:
    """The page before the title as lines, the body on one line (headings, prose and tables run
    together), the footer as lines."""
    lines: list[str] = []
    body: list[str] = []
    seen_title = False
    for kind, payload in blocks:
        if kind == "title":
            lines.append(payload)
            seen_title = True
        elif kind in ("spam", "chrome", "footer") or (kind == "meta" and not seen_title):
            if body:
                lines.append(_join_flat(ctx, body))
                body = []
            lines += payload if kind != "meta" else _meta_lines(ctx, payload)
        elif kind == "meta":
            body += _meta_lines(ctx, payload)
        elif kind == "table":
            body.append(_flat_table(ctx, payload))
        else:
            body.append(payload)
    if body:
        lines.append(_join_flat(ctx, body))
    return "\n".join(lines) + "\n"


def _join_flat(ctx: _Ctx, pieces: list[str]) -> str:
    out = pieces[0]
    for piece in pieces[1:]:
        out += ctx.rng.choice(("", " ", " ")) + piece
    return out


def _emit_text(ctx: _Ctx, blocks) -> str:
    if ctx.layout == "flattened":
        return _emit_flattened(ctx, blocks)
    lines: list[str] = []
    for kind, payload in blocks:
        if kind in ("spam", "chrome", "footer"):
            lines += payload
        elif kind == "meta":
            lines += _meta_lines(ctx, payload)
        elif kind == "heading" and ctx.layout == "ocr_markdown":
            lines.append(ctx.rng.choice(("## ", "## ", "")) + payload)  # Markdown headings (real corpus 16)
        elif kind in ("title", "para", "heading"):
            lines.append(payload)
        elif kind == "table":
            tl = _table_lines(ctx, payload)
            lines += _lines_text(tl) if ctx.layout in ("whitespace", "no_separator") else tl
    if ctx.p & {"page_numbers", "running_header"}:  # pdftotext's page furniture, every 40 lines
        header = _running_header(ctx) if "running_header" in ctx.p else None
        paged: list[str] = [header] if header else []
        page = 1
        for i, line in enumerate(lines, 1):
            paged.append(line)
            if i % 40 == 0:
                if "page_numbers" in ctx.p:
                    paged.append(f"- {page} -")
                if header:
                    paged.append(header)
                page += 1
        lines = paged
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML

_HTML_CHARSETS = {"utf-8": ("utf-8", "UTF-8"), "utf-8-sig": ("utf-8",), "gb18030": ("gb2312", "GBK", "gb18030"),
                  "big5": ("big5",), "utf-16": ("utf-16",)}


def _html_cell_text(ctx: _Ctx, tc: TC, wrap_p: bool, br: str = "<br />") -> str:
    if not tc.text:
        return "&nbsp;"
    text = tc.text
    if tc.br is not None and len(text) > tc.br:
        inner = _html.escape(text[:tc.br]) + br + _html.escape(text[tc.br:])
    else:
        inner = _html.escape(text)
    if wrap_p:
        return f'<p style="text-align:center"><span style="font-family:SimSun;font-size:10pt">{inner}</span></p>'
    return inner


def _html_table(ctx: _Ctx, tab: Tab, wrap_p: bool) -> str:
    br = ctx.rng.choice(("<br />", "<br/>", "<br>"))
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">', "<tbody>"]
    for row in tab.rows:
        out.append("<tr>")
        for tc in row:
            attrs = ""
            if tc.rs > 1:
                attrs += f' rowspan="{tc.rs}"'
            if tc.cs > 1:
                attrs += f' colspan="{tc.cs}"'
            out.append(f'<td{attrs} valign="middle">{_html_cell_text(ctx, tc, wrap_p, br)}</td>')
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _emit_html(ctx: _Ctx, blocks, charset: str) -> str:
    rng = ctx.rng
    wrap_p = rng.random() < 0.5
    title = next(p for k, p in blocks if k == "title")
    spam = next((p for k, p in blocks if k == "spam"), None)
    head_title = " - ".join(spam) if spam and rng.random() < 0.5 else title
    e = _html.escape
    out = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />',
        f"<title>{e(head_title)}</title>",
        "<style>body{font-family:SimSun,serif;} .xxgk td{padding:4px;}</style>",
        '<script type="text/javascript">var _hmt = _hmt || [];(function(){var hm=document.createElement("script");'
        'hm.src="https://hm.example.com/hm.js?0123";var s=document.getElementsByTagName("script")[0];'
        "s.parentNode.insertBefore(hm,s);})();</script>",
        "</head>",
        "<body>",
        '<div class="top"><nav>' + " | ".join(
            f'<a href="{href}">{e(ctx.out(name, "chrome"))}</a>'
            for href, name in (("/", "首页"), ("/xxgk/", "信息公开"), ("/hdjl/", "互动交流"))) + "</nav></div>",
    ]
    for kind, payload in blocks:
        if kind == "spam":
            out += [f'<div class="ad"><a href="#">{e(s)}</a></div>' for s in payload]
        elif kind == "chrome":
            out += [f'<div class="position">{e(s)}</div>' for s in payload]
        elif kind == "meta":
            lines = _meta_lines(ctx, payload)
            if payload.style == "pipe":
                out.append('<table class="xxgk">')
                for line in lines:
                    cells = [c.strip() for c in line.split("|")]
                    cells = [c for c in cells if c] or [""]
                    out.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
                out.append("</table>")
            else:
                out += [f"<div class=\"meta\">{e(s)}</div>" for s in lines]
        elif kind == "title":
            out.append(f'<div class="article"><h1 style="text-align:center">{e(payload)}</h1>')
            out.append('<div class="TRS_Editor">')
        elif kind == "heading":
            out.append(f"<p><strong>{e(payload)}</strong></p>")
        elif kind == "para":
            out.append(f'<p style="text-indent:2em">{e(payload)}</p>')
        elif kind == "table":
            out.append(_html_table(ctx, payload, wrap_p))
        elif kind == "footer":
            out.append("</div></div>")
            out.append("<footer>" + "".join(f"<p>{e(s)}</p>" for s in payload) + "</footer>")
    out += ['<script type="text/javascript">document.getElementById("count") && 0;</script>', "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- PDF

_FONT = "STSong-Light"


@cache
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    return _FONT


def _col_widths(tab: Tab, avail: float) -> list[float]:
    from reportlab.lib.units import cm

    if tab.name == "t3":
        ws = [1.1 * cm, 1.7 * cm, 5.0 * cm] + [1.3 * cm] * 7
    elif tab.name == "t4":
        ws = [avail / 15] * 15
    else:
        ws = [5.0 * cm, 4.0 * cm, 4.0 * cm, 4.0 * cm]
    scale = min(1.0, avail / sum(ws))
    return [w * scale for w in ws]


@dataclass
class _PageStyle:
    """Page set-up of a generated PDF. A long_document is set as a 公文 is (GB/T 9704: 16 pt body on
    a 28 pt line, 22 pt title, wide margins), which is what makes real reports run to 4–8 pages;
    otherwise the compact set-up of the first generator (10.5 pt body, 1–3 pages)."""

    body: float
    leading: float
    title: float
    left: float
    right: float
    top: float
    bottom: float
    cell: float = 7.5  # table text
    pad: float = 2  # table cells' top and bottom padding
    shade_articles: bool = False
    numbers_outside: bool = False  # huaian-2024: odd pages' numbers on the right, even pages' on the left

    @classmethod
    def of(cls, ctx: _Ctx) -> _PageStyle:
        from reportlab.lib.units import cm

        if "long_document" not in ctx.p:
            return cls(10.5, 17, 16, 1.8 * cm, 1.8 * cm, 2 * cm, 2 * cm)
        rng = ctx.rng
        body = rng.choice((15, 16, 16))
        return cls(body, body * 1.75, rng.choice((20, 22)), 2.7 * cm, 2.5 * cm, 3.2 * cm, 3.0 * cm,
                   cell=rng.choice((7.5, 8.5, 9)), pad=rng.choice((2, 4, 6)),
                   shade_articles=rng.random() < 0.4, numbers_outside=rng.random() < 0.5)

    def furniture(self, ctx: _Ctx, canvas, page_no: int) -> None:
        """The page number (page_numbers) and the running header (running_header) of one page."""
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import cm

        font = _register_font()
        if "page_numbers" in ctx.p:
            canvas.setFont(font, 14 if "long_document" in ctx.p else 9)
            number, y = f"- {page_no} -", 1.2 * cm
            if not self.numbers_outside:
                canvas.drawCentredString(A4[0] / 2, y, number)
            elif page_no % 2:
                canvas.drawRightString(A4[0] - self.right, y, number)
            else:
                canvas.drawString(self.left, y, number)
        if "running_header" in ctx.p:
            y = A4[1] - self.top + 0.8 * cm
            canvas.setFont(font, 9)
            canvas.drawCentredString(A4[0] / 2, y, ctx.cache["running_header"])
            canvas.setLineWidth(0.5)
            canvas.line(self.left, y - 4, A4[0] - self.right, y - 4)


def _title_lines(ctx: _Ctx, title: str) -> list[str]:
    """A 公文 title in large type is set by hand on two centred lines, broken after the agency
    (hongze-2024: 淮安市洪泽区人民政府 / 2024 年政府信息公开工作年度报告), never mid-word."""
    if "long_document" not in ctx.p:
        return [title]
    year = re.search(r"(?:\d{4}|[０-９]{4})年", title)
    if year and year.start() > 0:  # 淮安市人民政府 / 2024年政府信息公开工作年度报告
        return [title[:year.start()], title[year.start():]]
    # A title that opens with its year stays on one line (the emitters shrink its type to fit):
    # broken as 2024年淮安市人民政府 / 政府信息公开工作年度报告 the parser reads no year from it.
    return [title]


def _fitting_size(text: str, size: float, width: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return min(size, width / max(1e-9, stringWidth(text, _register_font(), 1)) * 0.98)


def _running_header(ctx: _Ctx) -> str:
    spec = ctx.spec
    text = ctx.rng.choice((f"{spec.agency}{spec.report_year}年政府信息公开工作年度报告", f"{spec.agency}门户网站",
                           "政府信息公开工作年度报告"))
    return ctx.out(text, "chrome")


def _emit_pdf_grid(ctx: _Ctx, blocks) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font()
    page = _PageStyle.of(ctx)
    body = ParagraphStyle("body", fontName=font, fontSize=page.body, leading=page.leading, wordWrap="CJK",
                          firstLineIndent=2 * page.body)
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0, fontSize=9, leading=13)
    title_style = ParagraphStyle("title", fontName=font, fontSize=page.title, leading=page.title * 1.5,
                                 alignment=TA_CENTER, wordWrap="CJK", spaceAfter=10)
    head = ParagraphStyle("head", parent=body, firstLineIndent=2 * page.body, spaceBefore=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=page.cell, leading=page.cell * 1.3, alignment=TA_CENTER,
                          wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=page.left, rightMargin=page.right, topMargin=page.top,
                            bottomMargin=page.bottom, title="", author="")
    avail = A4[0] - page.left - page.right
    story = []
    esc = _xml_escape
    for kind, payload in blocks:
        if kind == "spam":
            story += [Paragraph(esc(s), plain) for s in payload]
        elif kind == "meta":
            story += [Paragraph(esc(s), plain) for s in _meta_lines(ctx, payload)]
            story.append(Spacer(1, 6))
        elif kind == "title":
            lines = _title_lines(ctx, payload)
            size = min(_fitting_size(t, page.title, avail - 12) for t in lines) if "long_document" in ctx.p else page.title
            style_ = ParagraphStyle("title_fit", parent=title_style, fontSize=size, leading=size * 1.5)
            story.append(Paragraph("<br/>".join(esc(t) for t in lines), style_))
        elif kind == "heading":
            if "long_document" in ctx.p:  # one line: see _emit_pdf_lines
                size = _fitting_size(payload, page.body, avail - 12 - 2 * page.body)
                story.append(Paragraph(esc(payload), ParagraphStyle("head_fit", parent=head, fontSize=size)))
            else:
                story.append(Paragraph(esc(payload), head))
        elif kind == "para":
            story.append(Paragraph(esc(payload), body))
        elif kind == "table":
            tab: Tab = payload
            grid = tab.slots()
            data = []
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONTNAME", (0, 0), (-1, -1), font),
                     ("FONTSIZE", (0, 0), (-1, -1), page.cell + 0.5), ("TOPPADDING", (0, 0), (-1, -1), page.pad),
                     ("BOTTOMPADDING", (0, 0), (-1, -1), page.pad), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
            if "long_document" in ctx.p:
                # A table's last row alone atop the next page is read as text (noted in docs/scaling.md):
                # keep the last two rows, and all of table 四, on one page.
                style.append(("NOSPLIT", (0, 0 if tab.name == "t4" else len(grid) - 2), (-1, len(grid) - 1)))
            if page.shade_articles:  # huaian-2024: table 二's 第二十条 rows on a tinted background
                style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#dce6f2"))
                          for r, slots in enumerate(grid) if any(isinstance(x, TC) and x.kind == "article" for x in slots)]
            for r, slots in enumerate(grid):
                row = []
                for c, s in enumerate(slots):
                    if isinstance(s, TC):
                        text = s.text
                        if s.br is not None and len(text) > s.br:
                            row.append(Paragraph(esc(text[:s.br]) + "<br/>" + esc(text[s.br:]), cell))
                        elif s.kind == "value" and not re.search(r"[\u4e00-\u9fff]", text):
                            row.append(text)  # numbers never wrap (a reader would split the digits)
                        else:
                            row.append(Paragraph(esc(text), cell))
                        if s.rs > 1 or s.cs > 1:
                            style.append(("SPAN", (c, r), (c + s.cs - 1, r + s.rs - 1)))
                    else:
                        row.append("")
                data.append(row)
            story.append(Table(data, colWidths=_col_widths(tab, avail), style=TableStyle(style)))
            story.append(Spacer(1, 8))

    def on_page(canvas, doc_):
        page.furniture(ctx, canvas, doc_.page)

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def _wrap_width(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur, w = [], "", 0.0
    for ch in text:
        cw = stringWidth(ch, font, size)
        if w + cw > width and cur:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines


def _emit_pdf_lines(ctx: _Ctx, blocks) -> bytes:
    """Plain text lines without ruling: labels at the left margin, numbers in columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas as _canvas

    font = _register_font()
    page = _PageStyle.of(ctx)
    buf = io.BytesIO()
    cv = _canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    long = "long_document" in ctx.p
    if long:
        left, right, top, bottom = page.left, A4[0] - page.right, A4[1] - page.top, page.bottom
    else:
        left, right, top, bottom = 2 * cm, A4[0] - 2 * cm, A4[1] - 2.2 * cm, 2.2 * cm
    width = right - left
    squeeze = width / (A4[0] - 4 * cm)  # table columns set for a 17 cm line, fitted to this one
    state = {"y": top, "page": 1}

    def newline(pitch: float) -> float:
        if state["y"] - pitch < bottom:
            finish_page()
        state["y"] -= pitch
        return state["y"]

    def finish_page():
        page.furniture(ctx, cv, state["page"])
        cv.showPage()
        state["page"] += 1
        state["y"] = top

    def text_line(s: str, size: float = 10.5, pitch: float = 18, centre: bool = False, indent: float = 0):
        for piece in _wrap_width(s, font, size, width - indent) or [""]:
            y = newline(pitch)
            cv.setFont(font, size)
            if centre:
                cv.drawCentredString(A4[0] / 2, y, piece)
            else:
                cv.drawString(left + indent, y, piece)

    def row_line(row: _Row, tab_name: str):
        size = 8.5
        y = newline(20)  # ≥ 2× the reader's y tolerance between rows and group glyphs
        cv.setFont(font, size)
        if row.label:
            cv.drawString(left, y, row.label)
        start = left + {"t3": 8.6 * cm * squeeze, "t4": 0, "t2": 6.0 * cm * squeeze}[tab_name]
        step = {"t3": 1.25 * cm * squeeze, "t4": width / 15, "t2": 3.2 * cm * squeeze}[tab_name]
        label_end = left + stringWidth(row.label, font, size) + 8 if row.label else left
        x = max(start, label_end)
        if row.run_together:
            cv.drawString(x, y, "".join(row.values))
            return
        prev_end = x - 8
        for i, v in enumerate(row.values):
            xi = max(start + i * step, prev_end + 8)
            cv.drawString(xi, y, v)
            prev_end = xi + stringWidth(v, font, size)

    for kind, payload in blocks:
        if kind == "spam":
            for s in payload:
                text_line(s, 9, 14)
        elif kind == "meta":
            for s in _meta_lines(ctx, payload):
                text_line(s, 9, 14)
        elif kind == "title":
            lines = _title_lines(ctx, payload)
            size = min(_fitting_size(t, page.title, width) for t in lines)
            for k, line in enumerate(lines):
                text_line(line, *((size, page.title * (2 if k == 0 else 1.5)) if long else (15, 30)), centre=True)
        elif kind == "heading":
            # A long heading is set smaller to stay on one line: wrapped (四、…提起行政 / 诉讼情况) in
            # a no_separator PDF, today's parser loses the table under it.
            size = _fitting_size(payload, page.body, width - 2 * page.body) if long else 10.5
            text_line(payload, *((size, page.leading + 2) if long else (10.5, 20)), indent=2 * page.body)
        elif kind == "para":
            text_line(payload, *((page.body, page.leading) if long else (10.5, 18)))
        elif kind == "table":
            tab: Tab = payload
            for item in _pdf_lines(ctx, tab):
                if isinstance(item, _Row):
                    row_line(item, tab.name)
                else:
                    text_line(item, 8.5, 20)
    finish_page()
    cv.save()
    return buf.getvalue()


# ---------------------------------------------------------------- DOCX

def _docx_set_east_asian(run_or_style, name: str = "宋体") -> None:
    from docx.oxml.ns import qn

    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _emit_docx_grid(ctx: _Ctx, blocks) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(10.5)
    _docx_set_east_asian(normal)
    for kind, payload in blocks:
        if kind == "spam":
            for s in payload:
                d.add_paragraph(s)
        elif kind == "meta":
            for s in _meta_lines(ctx, payload):
                d.add_paragraph(s)
        elif kind == "title":
            para = d.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(payload)
            run.bold = True
            run.font.size = Pt(16)
        elif kind == "heading":
            para = d.add_paragraph()
            para.add_run(payload).bold = True
        elif kind == "para":
            d.add_paragraph(payload)
        elif kind == "table":
            anchor = d.add_paragraph()
            anchor._p.addprevious(parse_xml(_docx_table_xml(payload)))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DOCX_WIDTHS = {"t2": [2600, 2200, 2200, 2200], "t3": [600, 1000, 2800] + [700] * 7, "t4": [620] * 15}


def _docx_table_xml(tab: Tab) -> str:
    """A w:tbl as Word writes it: w:gridSpan for column spans, w:vMerge restart/continue for
    row spans (python-docx's cell()/merge() take seconds on a 28×10 table)."""
    owner: list[list[tuple[TC, int, int] | None]] = [[None] * tab.width for _ in tab.rows]
    for r, slots in enumerate(tab.slots()):
        for c, s in enumerate(slots):
            if isinstance(s, TC):
                for dr in range(s.rs):
                    for dc in range(s.cs):
                        owner[r + dr][c + dc] = (s, r, c)
    widths = _DOCX_WIDTHS[tab.name]
    border = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl {_W_NS}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for r in range(len(tab.rows)):
        out.append("<w:tr>")
        c = 0
        while c < tab.width:
            own = owner[r][c]
            if own is None:
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
                c += 1
                continue
            tc, r0, c0 = own
            span = f'<w:gridSpan w:val="{tc.cs}"/>' if tc.cs > 1 else ""
            width = sum(widths[c0:c0 + tc.cs])
            if r0 == r:
                merge = '<w:vMerge w:val="restart"/>' if tc.rs > 1 else ""
                text = tc.text
                if tc.br is not None and len(text) > tc.br:
                    runs = (f"<w:r><w:t xml:space=\"preserve\">{_xml_escape(text[:tc.br])}</w:t><w:br/>"
                            f"<w:t xml:space=\"preserve\">{_xml_escape(text[tc.br:])}</w:t></w:r>")
                elif text:
                    runs = f"<w:r><w:t xml:space=\"preserve\">{_xml_escape(text)}</w:t></w:r>"
                else:
                    runs = ""
                body = f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{runs}</w:p>'
            else:
                merge, body = "<w:vMerge/>", "<w:p/>"
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{merge}'
                       f'<w:vAlign w:val="center"/></w:tcPr>{body}</w:tc>')
            c = c0 + tc.cs
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _docx_cell_set(tc_el, text: str) -> None:
    """Replace a w:tc's text, keeping the first run's formatting."""
    from docx.oxml.ns import qn

    ts = list(tc_el.iter(qn("w:t")))
    if ts:
        ts[0].text = text
        ts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for t in ts[1:]:
            t.text = ""
        return
    p = tc_el.find(qn("w:p"))
    if p is None:
        p = tc_el.makeelement(qn("w:p"), {})
        tc_el.append(p)
    r = p.makeelement(qn("w:r"), {})
    t = r.makeelement(qn("w:t"), {})
    t.text = text
    r.append(t)
    p.append(r)


def _docx_tc_text(tc_el) -> str:
    from docx.oxml.ns import qn

    return "".join(t.text or "" for t in tc_el.iter(qn("w:t")))


def _emit_docx_template(ctx: _Ctx, blocks) -> bytes:
    """Fill a copy of the real blank 2021 Word template (read at run time, never copied)."""
    import copy

    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(TEMPLATE_DOCX))
    L = _Labels(ctx)
    tabs = {p.name: p for k, p in blocks if k == "table"}
    body = d.element.body
    tbls = [el for el in body if el.tag == qn("w:tbl")]

    def label_out(text: str) -> str:
        text = text.replace("\u3000", "").strip()
        if not text:
            return text
        kind = "group" if re.match(r"^（[一二三四五六七]）", text) and text not in ("（一）予以公开", "（七）总计") else "label"
        if text in ("（一）予以公开",) or text.startswith("（二）部分公开"):
            kind = "label"
        return ctx.out(L.fn(text, kind), "label")

    if "missing_tables" in ctx.p:
        for t in tbls:
            body.remove(t)
    else:
        # labels and headers: every non-empty cell text goes through the label perturbations
        for t in tbls:
            for tc in t.iter(qn("w:tc")):
                text = _docx_tc_text(tc)
                if text.replace("\u3000", "").strip():
                    _docx_cell_set(tc, label_out(text))
        # values of table 二: rows by item label
        t2 = tabs["t2"]
        t2_data = [row for row in t2.rows if row[0].kind == "label"]
        trs = tbls[0].findall(qn("w:tr"))
        data_trs = [tr for i, tr in enumerate(trs)
                    if len(tr.findall(qn("w:tc"))) > 1 and i > 0 and len(trs[i - 1].findall(qn("w:tc"))) > 1]
        for tr, row in zip(data_trs, t2_data):
            tcs = tr.findall(qn("w:tc"))
            for tc, value in zip(tcs[1:], row[1:]):
                _docx_cell_set(tc, value.text)
        # table 三: data rows 3.. in printed order, the last 7 cells hold the values
        t3_values = [[tc.text for tc in row if tc.kind == "value"] for row in tabs["t3"].rows[3:]]
        for tr, vals in zip(tbls[1].findall(qn("w:tr"))[3:], t3_values):
            tcs = tr.findall(qn("w:tc"))
            for tc, text in zip(tcs[-7:], vals):
                _docx_cell_set(tc, text)
        t4_values = [tc.text for tc in tabs["t4"].rows[3]]
        tcs = tbls[2].findall(qn("w:tr"))[3].findall(qn("w:tc"))
        for tc, text in zip(tcs, t4_values):
            _docx_cell_set(tc, text)
    # paragraphs: title, headings, prose placeholders
    paras = d.paragraphs
    title = next(p for k, p in blocks if k == "title")
    paras_by_text = {p.text.strip(): p for p in paras}
    title_p = paras_by_text.get("政府信息公开工作年度报告格式模板")
    if title_p is not None:
        _docx_cell_set(title_p._p, title)
        before = [s for k, p in blocks if k == "spam" for s in p]
        before += [s for k, p in blocks if k == "meta" for s in _meta_lines(ctx, p)]
        for s in before:
            title_p.insert_paragraph_before(s)
    # prose between headings
    sections: list[tuple[str, list[str]]] = []
    for kind, payload in blocks:
        if kind == "heading":
            sections.append((payload, []))
        elif kind == "para" and sections:
            sections[-1][1].append(payload)
    preamble = [p for k, p in blocks if k == "para"][:1]
    heading_paras = [p for p in d.paragraphs if re.match(r"^[一二三四五六]、", p.text.strip())]
    for hp, (htext, texts) in zip(heading_paras, sections):
        _docx_cell_set(hp._p, htext)
        placeholder = hp._p.getnext()
        anchor = hp._p
        if placeholder is not None and placeholder.tag == qn("w:p") and "文字描述" in "".join(
                t.text or "" for t in placeholder.iter(qn("w:t"))):
            body.remove(placeholder)
        for text in texts:
            new_p = copy.deepcopy(hp._p)
            _docx_cell_set(new_p, text)
            anchor.addnext(new_p)
            anchor = new_p
    if heading_paras and preamble:
        new_p = copy.deepcopy(heading_paras[0]._p)
        _docx_cell_set(new_p, preamble[0])
        heading_paras[0]._p.addprevious(new_p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- entry points

def _context(spec: ReportSpec, layout: str, fmt: str, perturbations, rng, encoding) -> _Ctx:
    p = frozenset(perturbations)
    reason = why_unsupported(spec, layout, fmt, p, encoding)
    if reason:
        raise UnsupportedCombination(reason)
    rng = rng if rng is not None else random.Random(spec.seed)
    ctx = _Ctx(spec, layout, fmt, p, rng, encoding or "utf-8")
    ctx.ascii_punct = fmt == "txt" and rng.random() < 0.6  # the seeds' text dumps fold （）：， to ASCII
    return ctx


def render_text(spec: ReportSpec, *, layout: str, perturbations=frozenset(), rng: random.Random | None = None) -> str:
    """The text of a ``txt`` rendering, before encoding."""
    ctx = _context(spec, layout, "txt", perturbations, rng, None)
    return _emit_text(ctx, _document(ctx))


def render(spec: ReportSpec, *, layout: str, fmt: str, perturbations=frozenset(),
           rng: random.Random | None = None, encoding: str | None = None) -> tuple[str, bytes]:
    """A complete report file: (file name with the format's extension, file bytes).

    ``encoding`` (txt and html only; default utf-8): one of ENCODINGS. Raises
    UnsupportedCombination (a ValueError) when ``why_unsupported`` gives a reason.
    """
    ctx = _context(spec, layout, fmt, perturbations, rng, encoding)
    blocks = _document(ctx)
    name = f"nianbao_{spec.report_year}_{spec.seed:08x}_{layout}.{EXTENSIONS[fmt]}"
    if fmt == "txt":
        return name, _encode(_emit_text(ctx, blocks), ctx.encoding)
    if fmt == "html":
        charset = ctx.rng.choice(_HTML_CHARSETS[ctx.encoding])
        return name, _encode(_emit_html(ctx, blocks, charset), ctx.encoding)
    if fmt == "pdf":
        if "running_header" in ctx.p:
            ctx.cache["running_header"] = _running_header(ctx)
        data = _emit_pdf_grid(ctx, blocks) if layout == "grid" else _emit_pdf_lines(ctx, blocks)
        return name, data
    data = _emit_docx_template(ctx, blocks) if layout == "template" else _emit_docx_grid(ctx, blocks)
    return name, data


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)  # "utf-16" writes a BOM, "utf-8-sig" too
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise UnsupportedCombination(f"{bad!r} cannot be encoded in {encoding}") from exc

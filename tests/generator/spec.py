"""What a generated report says: agency, year, template, metadata and every table value.

A :class:`ReportSpec` is layout-free: the same spec can be rendered as pipe text, HTML, PDF
or DOCX (``render.py``) and the values a correct parser must read back are derived from it
(``expected.py``). Row and column ids come from the project vocabulary
(``nianbao.vocabulary.loader.load()``); nothing here lists row labels.

Value conventions of the spec:

* ``t3[(row, col)]`` — ``int``, or ``None`` for a cell printed blank. ``random_spec`` blanks
  only zero-valued *non-total* cells (a blank leaf means 0), so blanks never change a rule.
* ``t4[(proceeding, result | "total")]`` — the same.
* ``t2[(item, measure)]`` — a number in the warehouse unit (``procurement_total_amount`` in 元,
  ``fee_amount`` in 万元 as printed, counts as ints), or ``(number, printed_text)`` when the
  report may print it differently (``"减89"``, ``"2131.212万元"``, ``"45,432"``). The printed
  text is used only when the ``text_cells`` perturbation is on; otherwise the plain number is
  printed.
* ``prose`` — the figures the 一、总体情况 sentence states (t3 row id → count), derived from the
  tables' 总计 column (category measures are the sum of their leaves).

Inconsistent specs break exactly one rule (``broken_rule``), in the scopes listed in
``broken`` (scope id → left − right of the rule's equation, as the rule evaluator reports it).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import cache

from nianbao.vocabulary.loader import load

TEMPLATES = ("2019", "2021")
BREAKABLE_RULES = (
    "t3_column_balance",
    "t3_row_total",
    "t3_outcome_sum",
    "t4_group_total",
    "narrative_table_consistency",
)
# The figures the 一、总体情况 sentence restates (t3 row ids, as the parser's prose reader names them).
PROSE_MEASURES = (
    "new_received",
    "total_processed",
    "granted",
    "partially_granted",
    "denied_unspecified",
    "unable_to_provide_unspecified",
    "not_processed_unspecified",
)

T2Value = int | float | tuple  # number, or (number, printed_text)


# ---------------------------------------------------------------- vocabulary axes

@cache
def t3_rows(template: str) -> tuple[str, ...]:
    """Numeric rows of table 三 in printed order (flows, leaf outcomes, （七）总计, 四)."""
    v = load()
    flows = [f.id for f in v.flows]
    return (flows[0], flows[1], *[o.id for o in v.outcomes_for(template)], v.t3_total_row.id, flows[2])


@cache
def t3_cols() -> tuple[str, ...]:
    v = load()
    return (*[a.id for a in v.table_applicants], v.t3_total_column.id)


@cache
def t4_rows() -> tuple[str, ...]:
    return tuple(p.id for p in load().proceedings)


@cache
def t4_cols() -> tuple[str, ...]:
    v = load()
    return (*[r.id for r in v.results], v.t4_total_column.id)


@cache
def t2_items(template: str, local_row: bool = False) -> tuple[str, ...]:
    """Table 二 items the template prints, in order; ``local_row`` adds 其他主动公开文件 (2019)."""
    layout = load().disclosure_layout[template]
    items = [i.id for i in load().disclosure_items if i.id in layout]
    if not local_row:
        items.remove("other_proactive_documents")
    return tuple(items)


def t2_measures(template: str, item: str) -> tuple[str, ...]:
    return tuple(load().disclosure_layout[template][item])


@cache
def outcome_category(outcome: str) -> str:
    return next(o.group for o in load().outcomes if o.id == outcome)


def t2_number(value: T2Value) -> float:
    return float(value[0] if isinstance(value, tuple) else value)


# ---------------------------------------------------------------- the spec

@dataclass
class ReportSpec:
    agency: str
    report_year: int
    template: str  # "2019" | "2021"
    published_on: str  # ISO date
    index_number: str
    t3: dict[tuple[str, str], int | None]
    t4: dict[tuple[str, str], int | None]
    t2: dict[tuple[str, str], T2Value]
    prose: dict[str, int] = field(default_factory=dict)
    show_metadata: bool = True  # print the 索引号/发布机构/发布日期 block (else no published_on/index_number)
    short_agency: str | None = None  # a shorter name the title may use when 发布机构 gives the full one
    other_local_t2: dict[tuple[str, str], T2Value] = field(default_factory=dict)  # 其他主动公开文件 (2019)
    seed: int = 0  # default rng seed for render()
    consistent: bool = True
    broken_rule: str | None = None
    broken: dict[str, int] = field(default_factory=dict)  # scope → left − right

    # -- axes
    @property
    def t3_rows(self) -> tuple[str, ...]:
        return t3_rows(self.template)

    @property
    def t2_items(self) -> tuple[str, ...]:
        return t2_items(self.template)

    @property
    def has_blanks(self) -> bool:
        return any(v is None for v in self.t3.values()) or any(v is None for v in self.t4.values())

    def t3_value(self, row: str, col: str) -> int:
        """The count a cell stands for (a blank non-total cell is 0)."""
        return self.t3[(row, col)] or 0


def count_splits(digits: str, groups: list[int], cap: int = 2) -> int:
    """How many ways ``digits`` splits into ``sum(groups)`` integers (no leading zeros) such that in
    every group the last member is the sum of the others; counting stops at ``cap``."""
    n = len(digits)
    memo: dict[tuple[int, int, int, int], int] = {}

    def group(g: int, pos: int) -> int:
        if g == len(groups):
            return 1 if pos == n else 0
        return parts(g, pos, groups[g] - 1, 0)

    def parts(g: int, pos: int, left: int, acc: int) -> int:
        key = (g, pos, left, acc)
        if key in memo:
            return memo[key]
        remaining_parts = sum(groups[g + 1:])
        if left == 0:
            total = str(acc)
            if digits.startswith(total, pos):
                res = group(g + 1, pos + len(total))
            else:
                res = 0
            memo[key] = res
            return res
        res = 0
        # this part, `left - 1` more parts, the total, and one digit per later part at least
        max_end = n - (left - 1) - 1 - remaining_parts
        for end in range(pos + 1, max_end + 1):
            piece = digits[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            res += parts(g, end, left - 1, acc + int(piece))
            if res >= cap:
                break
        memo[key] = min(res, cap)
        return memo[key]

    return min(group(0, 0), cap)


# ---------------------------------------------------------------- agencies

_PLACES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("浙江省", "杭州市", ("西湖区", "拱墅区", "余杭区", "淳安县")),
    ("浙江省", "宁波市", ("鄞州区", "海曙区", "象山县")),
    ("浙江省", "湖州市", ("南浔区", "吴兴区", "德清县")),
    ("浙江省", "衢州市", ("柯城区", "衢江区", "江山市")),
    ("江苏省", "南京市", ("秦淮区", "鼓楼区", "江宁区")),
    ("江苏省", "淮安市", ("洪泽区", "清江浦区", "涟水县")),
    ("江苏省", "常州市", ("武进区", "新北区", "溧阳市")),
    ("辽宁省", "盘锦市", ("兴隆台区", "大洼区", "盘山县")),
    ("湖北省", "武汉市", ("江岸区", "洪山区", "武昌区")),
    ("广东省", "广州市", ("天河区", "越秀区", "海珠区")),
    ("广东省", "深圳市", ("龙岗区", "南山区", "福田区")),
    ("山东省", "济宁市", ("微山县", "任城区", "曲阜市")),
    ("甘肃省", "定西市", ("安定区", "陇西县")),
    ("福建省", "福州市", ("晋安区", "鼓楼区", "闽侯县")),
    ("四川省", "成都市", ("武侯区", "锦江区", "郫都区")),
    ("上海市", None, ("黄浦区", "浦东新区", "徐汇区")),
    ("北京市", None, ("海淀区", "朝阳区", "东城区")),
)
_CITY_BODIES = (
    "人民政府", "人民政府办公室", "交通运输局", "生态环境局", "市场监督管理局", "自然资源和规划局",
    "教育局", "卫生健康委员会", "财政局", "人力资源和社会保障局", "住房和城乡建设局", "统计局",
    "医疗保障局", "司法局", "民政局", "农业农村局", "应急管理局", "营商环境建设局", "行政审批局",
    "公共资源交易中心", "政务服务管理办公室", "文化广电旅游局", "商务局", "水利局", "审计局",
)
_COUNTY_BODIES = (
    "人民政府", "人民政府办公室", "教育局", "民政局", "卫生健康局", "财政局", "司法局",
    "城市管理局", "市场监督管理局", "农业农村局", "发展和改革局",
)
_TOWNS = ("城关镇", "新城街道", "东湖街道", "太平镇", "石门镇", "北山街道", "双林镇", "南湖街道")
_PROVINCE_BODIES = ("人民政府办公厅", "交通运输厅", "生态环境厅", "教育厅", "财政厅", "民政厅", "司法厅", "自然资源厅")
_NATIONAL = (
    "国家统计局", "国家林业和草原局", "国家知识产权局", "交通运输部", "生态环境部", "海关总署",
    "国家税务总局", "水利部", "国家医疗保障局", "国家药品监督管理局",
)


def all_agency_names() -> list[str]:
    """Every name ``random_agency`` can produce (for round-trip tests of script conversion)."""
    names = list(_NATIONAL)
    for prov, city, counties in _PLACES:
        if city is None:
            names += [prov + b for b in _CITY_BODIES]
            names += [prov + c + b for c in counties for b in _COUNTY_BODIES]
            names += [prov + c + t + _town_body(t) for c in counties for t in _TOWNS]
        else:
            names += [prov + b for b in _PROVINCE_BODIES]
            names += [city + b for b in _CITY_BODIES]
            names += [city + c + b for c in counties for b in _COUNTY_BODIES]
            names += [city + c + t + _town_body(t) for c in counties for t in _TOWNS]
    return names


def _town_body(town: str) -> str:
    return "办事处" if town.endswith("街道") else "人民政府"


def random_agency(rng: random.Random) -> tuple[str, str | None]:
    """(full name, a shorter name a title may use, or None)."""
    r = rng.random()
    if r < 0.06:
        return rng.choice(_NATIONAL), None
    prov, city, counties = rng.choice(_PLACES)
    top = city or prov
    if r < 0.12 and city is not None:
        return prov + rng.choice(_PROVINCE_BODIES), None
    if r < 0.45:
        return top + rng.choice(_CITY_BODIES), None
    county = rng.choice(counties)
    if r < 0.9:
        body = rng.choice(_COUNTY_BODIES)
        return top + county + body, county + body
    town = rng.choice(_TOWNS)
    return top + county + town + _town_body(town), county + town + _town_body(town)


def random_index_number(rng: random.Random, year: int) -> str:
    head = "11" + "".join(rng.choice("0123456789") for _ in range(6))
    if rng.random() < 0.7:
        body = "".join(rng.choice("0123456789") for _ in range(10))
    else:
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
    serial = rng.randint(1, 999999 if rng.random() < 0.3 else 99999)
    width = 6 if serial > 99999 else 5
    return f"{head}{body}/{year + 1}-{serial:0{width}d}"


def random_published_on(rng: random.Random, year: int) -> str:
    month = rng.choices((1, 2, 3, 4, 5), weights=(40, 25, 30, 3, 2))[0]
    day = rng.randint(1, (31, 28, 31, 30, 31)[month - 1])
    return f"{year + 1:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------- values

def _loguniform_int(rng: random.Random, lo: int, hi: int) -> int:
    return int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))


def _scale(rng: random.Random) -> int:
    """Natural-person new requests: many reports have none or a handful, a few thousands."""
    profile = rng.choices(("zero", "tiny", "small", "medium", "large"), weights=(14, 30, 30, 18, 8))[0]
    return {
        "zero": lambda: 0,
        "tiny": lambda: rng.randint(1, 5),
        "small": lambda: rng.randint(5, 60),
        "medium": lambda: rng.randint(60, 600),
        "large": lambda: rng.randint(600, 4000),
    }[profile]()


# relative frequency of each leaf outcome in real reports
_OUTCOME_WEIGHTS = {
    "granted": 30, "partially_granted": 6,
    "denied_state_secret": 0.3, "denied_prohibited_by_law": 1, "denied_three_securities_one_stability": 0.4,
    "denied_third_party_rights": 1.5, "denied_internal_affairs": 0.8, "denied_process_information": 1,
    "denied_law_enforcement_case_file": 0.6, "denied_administrative_query": 1.2,
    "unable_to_provide_not_held": 20, "unable_to_provide_needs_creation": 4,
    "unable_to_provide_unclear_after_correction": 2,
    "not_processed_petition_complaint": 2, "not_processed_duplicate": 2, "not_processed_publication": 0.5,
    "not_processed_excessive_repeated": 0.5, "not_processed_confirm_or_reissue": 1,
    "other_processing": 3, "other_no_correction_overdue": 2, "other_fee_unpaid_overdue": 0.3,
    "other_miscellaneous": 3,
}
# share of natural-person volume and chance a column has any requests at all
_COLUMN_PROFILE = {
    "commercial_enterprise": (0.08, 0.5),
    "research_institution": (0.01, 0.06),
    "social_welfare_organization": (0.01, 0.06),
    "legal_service_agency": (0.03, 0.15),
    "other_organization": (0.03, 0.25),
}


def _counts(rng: random.Random, total: int, keys: list[str], weights: list[float]) -> dict[str, int]:
    out = dict.fromkeys(keys, 0)
    if total <= 0:
        return out
    if total <= 5000:
        for k in rng.choices(keys, weights=weights, k=total):
            out[k] += 1
        return out
    # large totals: proportional split with noise, remainder to the heaviest key
    s = sum(weights)
    for k, w in zip(keys, weights):
        out[k] = int(total * w / s * rng.uniform(0.9, 1.1))
    excess = sum(out.values()) - total
    heavy = max(keys, key=lambda k: out[k])
    out[heavy] -= excess
    return out


def _gen_t3(rng: random.Random, template: str) -> dict[tuple[str, str], int]:
    v = load()
    rows = t3_rows(template)
    leaves = [o.id for o in v.outcomes_for(template)]
    t3: dict[tuple[str, str], int] = {}
    # per-report outcome propensities: some outcomes never occur in a given agency
    weights = []
    for leaf in leaves:
        w = _OUTCOME_WEIGHTS.get(leaf, 0.5) * rng.uniform(0.2, 2.0)
        if leaf != "granted" and rng.random() < 0.3:
            w = 0.0
        weights.append(w)
    scale = _scale(rng)
    for col in t3_cols()[:-1]:
        if col == "natural_person":
            new = scale
        else:
            share, active = _COLUMN_PROFILE[col]
            new = 0
            if scale and rng.random() < active:
                new = max(1, int(scale * share * rng.uniform(0.3, 3)))
        carried_over = rng.randint(0, max(1, new // 20)) if rng.random() < 0.35 else 0
        carried_forward = rng.randint(0, max(0, (new + carried_over) // 12)) if rng.random() < 0.45 else 0
        processed = new + carried_over - carried_forward
        t3[("new_received", col)] = new
        t3[("carried_over_from_previous_year", col)] = carried_over
        t3[("carried_forward_to_next_year", col)] = carried_forward
        t3[(v.t3_total_row.id, col)] = processed
        for leaf, n in _counts(rng, processed, leaves, weights).items():
            t3[(leaf, col)] = n
    for row in rows:
        t3[(row, "total")] = sum(t3[(row, c)] for c in t3_cols()[:-1])
    return t3


def _gen_t4(rng: random.Random) -> dict[tuple[str, str], int]:
    t4: dict[tuple[str, str], int] = {}
    busy = rng.random()
    for p in t4_rows():
        active = busy > 0.6 and rng.random() < (0.8 if p == "administrative_review" else 0.5)
        hi = 3 if busy < 0.93 else 40
        for r in t4_cols()[:-1]:
            t4[(p, r)] = rng.randint(0, hi) if active and rng.random() < 0.6 else 0
        t4[(p, "total")] = sum(t4[(p, r)] for r in t4_cols()[:-1])
    return t4


def _signed_text(rng: random.Random, n: int) -> T2Value:
    if n < 0:
        return (n, rng.choice((f"减{-n}", f"减{-n}", f"-{-n}")))
    if n > 0:
        return (n, rng.choice((f"增{n}", f"+{n}", str(n))))
    return 0


def _grouped(rng: random.Random, n: int) -> T2Value:
    return (n, f"{n:,}") if n >= 1000 and rng.random() < 0.5 else n


def _plain_decimal(x: float, places: int = 6) -> str:
    s = f"{x:.{places}f}".rstrip("0").rstrip(".")
    return s or "0"


def _gen_t2(rng: random.Random, template: str) -> tuple[dict, dict]:
    t2: dict[tuple[str, str], T2Value] = {}
    local: dict[tuple[str, str], T2Value] = {}
    busy = rng.random()

    def count(lo_hi: tuple[int, int], zero: float = 0.3) -> int:
        if rng.random() < zero:
            return 0
        return _loguniform_int(rng, *lo_hi)

    if template == "2019":
        for item, hi in (("regulations", 8), ("normative_documents", 80), ("other_proactive_documents", 300)):
            made = count((1, hi), 0.4)
            published = made if rng.random() < 0.8 else rng.randint(0, made)
            total = published + count((1, hi * 20), 0.3)
            target = local if item == "other_proactive_documents" else t2
            target[(item, "newly_made_count")] = made
            target[(item, "newly_published_count")] = published
            target[(item, "total_published_count")] = total
        for item in ("licences", "other_external_services", "penalties", "enforcement"):
            prior = count((1, 3000 if busy > 0.5 else 200), 0.15)
            change = rng.randint(-max(1, prior // 8), max(1, prior // 8)) if prior and rng.random() < 0.7 else 0
            change = max(change, -prior)
            t2[(item, "prior_year_item_count")] = prior
            t2[(item, "item_count_change")] = _signed_text(rng, change)
            t2[(item, "decision_count")] = _grouped(rng, count((1, 80000 if busy > 0.5 else 2000), 0.2))
        prior = count((1, 200), 0.3)
        change = max(-prior, rng.randint(-max(1, prior // 6), 3)) if prior else 0
        t2[("fees", "prior_year_item_count")] = prior
        t2[("fees", "item_count_change")] = _signed_text(rng, change)
        n = count((1, 600), 0.35)
        t2[("procurement", "procurement_project_count")] = n
        yuan = _loguniform_int(rng, 5_000, 300_000_000) if n else 0
        if yuan and rng.random() < 0.6:
            yuan = yuan // 10 * 10  # 万元 with up to three decimals, like 2131.212万元
            t2[("procurement", "procurement_total_amount")] = (yuan, _plain_decimal(yuan / 10000, 4) + "万元")
        elif yuan:
            t2[("procurement", "procurement_total_amount")] = (yuan, f"{yuan}元")
        else:
            t2[("procurement", "procurement_total_amount")] = 0
    else:
        for item, hi in (("regulations", 6), ("normative_documents", 60)):
            issued = count((1, hi), 0.4)
            repealed = count((1, max(2, hi // 2)), 0.6)
            t2[(item, "issued_count")] = issued
            t2[(item, "repealed_count")] = repealed
            t2[(item, "in_force_count")] = issued + count((1, hi * 15), 0.2)
        for item in ("licences", "penalties", "enforcement"):
            t2[(item, "decision_count")] = _grouped(rng, count((1, 500000 if busy > 0.7 else 3000), 0.2))
        if rng.random() < 0.35:
            t2[("fees", "fee_amount")] = 0
        else:
            places = rng.choice((0, 1, 2, 2, 4))
            wan = round(math.exp(rng.uniform(math.log(0.05), math.log(150000))), places)
            wan = wan if wan > 0 else 0.01
            text = _plain_decimal(wan, 4)
            t2[("fees", "fee_amount")] = (float(text), rng.choice((text + "万元", text)))
    return t2, local


# ---------------------------------------------------------------- prose figures

def prose_figures(t3: dict[tuple[str, str], int | None], template: str) -> dict[str, int]:
    """The figures 一、总体情况 restates, from the 总计 column (categories: sum of their leaves)."""

    def total(row: str) -> int:
        val = t3[(row, "total")]
        if val is None:
            val = sum(t3[(row, c)] or 0 for c in t3_cols()[:-1])
        return val

    out = {"new_received": total("new_received"), "total_processed": total(load().t3_total_row.id)}
    cats = {"granted": "granted", "partially_granted": "partially_granted",
            "denied_unspecified": "denied", "unable_to_provide_unspecified": "unable_to_provide",
            "not_processed_unspecified": "not_processed"}
    for measure, cat in cats.items():
        out[measure] = sum(total(o.id) for o in load().outcomes_for(template) if o.group == cat)
    return out


# ---------------------------------------------------------------- breaking one rule

def _break(rng: random.Random, spec: ReportSpec, rule: str) -> None:
    t3, t4 = spec.t3, spec.t4
    applicants = list(t3_cols()[:-1])
    d = rng.choice((1, 1, 1, 2, 3, 5, 10, 12))
    spec.consistent = False
    spec.broken_rule = rule
    if rule == "t3_column_balance":
        col = rng.choice(applicants)
        row = rng.choice(("new_received", "carried_over_from_previous_year", "carried_forward_to_next_year"))
        sign = rng.choice((1, -1)) if t3[(row, col)] >= d else 1
        t3[(row, col)] += sign * d
        t3[(row, "total")] += sign * d
        diff = sign * d if row != "carried_forward_to_next_year" else -sign * d
        spec.broken = {col: diff, "total": diff}
    elif rule == "t3_row_total":
        # one row alone cannot break: the 总计 column must still satisfy the column rules,
        # so two rows' printed totals move together (format-spec §2: column rules hold).
        leaves = [o.id for o in load().outcomes_for(spec.template)]
        choice = rng.choice(("leaves", "new_forward", "carry_forward"))
        if choice == "leaves":
            up = rng.choice(leaves)
            candidates = [leaf for leaf in leaves if leaf != up and t3[(leaf, "total")] >= d]
            if not candidates:
                choice = "new_forward"
            else:
                down = rng.choice(candidates)
                t3[(up, "total")] += d
                t3[(down, "total")] -= d
                spec.broken = {up: d, down: -d}
        if choice != "leaves":
            first = "new_received" if choice == "new_forward" else "carried_over_from_previous_year"
            t3[(first, "total")] += d
            t3[("carried_forward_to_next_year", "total")] += d
            spec.broken = {first: d, "carried_forward_to_next_year": d}
    elif rule == "t3_outcome_sum":
        leaves = [o.id for o in load().outcomes_for(spec.template)]
        leaf, col = rng.choice(leaves), rng.choice(applicants)
        sign = rng.choice((1, -1)) if t3[(leaf, col)] >= d else 1
        t3[(leaf, col)] += sign * d
        t3[(leaf, "total")] += sign * d
        spec.broken = {col: -sign * d, "total": -sign * d}
    elif rule == "t4_group_total":
        p = rng.choice(t4_rows())
        sign = rng.choice((1, -1)) if t4[(p, "total")] >= d else 1
        t4[(p, "total")] += sign * d
        spec.broken = {p: sign * d}
    elif rule == "narrative_table_consistency":
        m = rng.choice(PROSE_MEASURES)
        sign = rng.choice((1, -1)) if spec.prose[m] >= d else 1
        spec.prose[m] += sign * d
        spec.broken = {m: sign * d}
    else:
        raise ValueError(f"cannot break rule {rule!r}; choose one of {BREAKABLE_RULES}")


# ---------------------------------------------------------------- entry point

def random_spec(
    rng: random.Random,
    template: str | None = None,
    *,
    consistent: bool = True,
    blank_rate: float = 0.0,
    break_rule: str | None = None,
    show_metadata: bool | None = None,
) -> ReportSpec:
    """A random report. ``consistent=False`` breaks one rule (``break_rule`` or a random one of
    BREAKABLE_RULES). ``blank_rate``: share of zero-valued non-total cells of tables 三/四 printed
    blank (layouts ``lines_no_pipes``/``whitespace``/``no_separator`` need 0)."""
    if template is None:
        template = rng.choice(TEMPLATES)
    if template not in TEMPLATES:
        raise ValueError(f"template must be one of {TEMPLATES}")
    year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2024)
    agency, short = random_agency(rng)
    t3 = _gen_t3(rng, template)
    t2, local = _gen_t2(rng, template)
    spec = ReportSpec(
        agency=agency,
        report_year=year,
        template=template,
        published_on=random_published_on(rng, year),
        index_number=random_index_number(rng, year),
        t3=dict(t3),
        t4=_gen_t4(rng),
        t2=t2,
        show_metadata=(rng.random() < 0.85) if show_metadata is None else show_metadata,
        short_agency=short,
        other_local_t2=local,
        seed=rng.randrange(2**32),
    )
    rule = None
    if not consistent or break_rule is not None:
        rule = break_rule or rng.choice(BREAKABLE_RULES)
    if rule is not None and rule != "narrative_table_consistency":
        _break(rng, spec, rule)
    # the prose restates the tables as printed (after a table break, so only the chosen rule fails)
    spec.prose = prose_figures(spec.t3, template)
    if rule == "narrative_table_consistency":
        _break(rng, spec, rule)
    if blank_rate > 0:
        for (row, col), val in spec.t3.items():
            if val == 0 and col != "total" and row != load().t3_total_row.id and rng.random() < blank_rate:
                spec.t3[(row, col)] = None
        for (p, col), val in spec.t4.items():
            if val == 0 and col != "total" and rng.random() < blank_rate:
                spec.t4[(p, col)] = None
    return spec

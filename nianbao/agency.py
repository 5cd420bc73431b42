"""Where an issuing body sits, read from its (simplified) name."""
from __future__ import annotations

import re

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
_CITY = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:市|自治州|地区|盟))")
_COUNTY = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:自治县|自治旗|县|区|旗|市))")
_TOWNSHIP = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|街道办事处)(?:人民政府)?")


def locate(name: str | None) -> dict[str, str | None]:
    """province / city / county / admin_level from an agency name (best effort, never invented:
    a part that the name does not state stays None)."""
    out: dict[str, str | None] = {"province": None, "city": None, "county": None, "admin_level": None}
    if not name:
        return out
    rest = name
    for full, short in PROVINCES.items():
        if rest.startswith(full) or rest.startswith(short):
            out["province"] = full
            rest = rest[len(full):] if rest.startswith(full) else rest[len(short):]
            break
    if out["province"] in _MUNICIPALITIES:
        m = _COUNTY.match(rest)
        if m and m.group(1).endswith(("区", "县")):
            out["county"] = m.group(1)
            rest = rest[m.end():]
    else:
        m = _CITY.match(rest)
        if m:
            out["city"] = m.group(1)
            rest = rest[m.end():]
        m = _COUNTY.match(rest)
        if m and not rest.startswith(("市", "区")) and len(m.group(1)) <= 6:
            candidate = m.group(1)
            # "人民政府办公室" etc. are bodies, not places: a county name ends its own word
            if not re.search(r"(?:政府|局|委|办|厅|中心|部)", candidate):
                out["county"] = candidate
                rest = rest[m.end():]
    if _TOWNSHIP.match(rest):
        out["admin_level"] = "township"
    elif out["county"]:
        out["admin_level"] = "county"
    elif out["city"]:
        out["admin_level"] = "city"
    elif out["province"]:
        out["admin_level"] = "province"
    elif _CENTRAL.match(name):
        out["admin_level"] = "central"
    return out

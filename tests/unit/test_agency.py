"""Agency identity (one normalised name per body, across years) and geography (name, the
division code inside the 索引号, the national division table)."""
from __future__ import annotations

import pytest

from nianbao.parse.agency import division_code, identify, place_of_division


@pytest.mark.parametrize("printed, canonical", [
    # spacing and script
    ("湖 州 市 南 浔 区 人 民 政 府", "湖州市南浔区人民政府"),
    ("湖州市南潯區人民政府", "湖州市南浔区人民政府"),
    # 人民政府办公室 / 办公室 variants
    ("湖州市南浔区政府办公室", "湖州市南浔区人民政府办公室"),
    ("南浔区府办", "湖州市南浔区人民政府办公室"),
    ("湖州市办公室", "湖州市人民政府办公室"),
    ("上海市政府办公厅", "上海市人民政府办公厅"),
    ("湖州市政府", "湖州市人民政府"),
    ("宿州市", "宿州市人民政府"),
    # a province before a city is dropped; a county gets its city (or municipality)
    ("浙江省湖州市南浔区人民政府", "湖州市南浔区人民政府"),
    ("南浔区人民政府", "湖州市南浔区人民政府"),
    ("淳安县市场监督管理局", "杭州市淳安县市场监督管理局"),
    ("海淀区人民政府", "北京市海淀区人民政府"),
    # unchanged
    ("湖州市南浔区人民政府", "湖州市南浔区人民政府"),
    ("衢州市营商环境建设办公室", "衢州市营商环境建设办公室"),
    ("湖州市市场监督管理局", "湖州市市场监督管理局"),
    ("浙江省交通运输厅", "浙江省交通运输厅"),
    ("吉林市人民政府", "吉林市人民政府"),
    ("国家统计局", "国家统计局"),
    # ambiguous county names (鼓楼区 is in 南京, 福州, 徐州, 开封) keep no city
    ("鼓楼区人民政府", "鼓楼区人民政府"),
])
def test_qualified_names(printed, canonical):
    got = identify(printed)
    assert got["agency_qualified_name"] == canonical
    assert got["agency_name_printed"] == printed


def test_the_same_body_gets_one_qualified_name_whatever_the_report_prints():
    variants = ["湖州市南浔区人民政府办公室", "南浔区政府办公室", "南浔区府办", "浙江省湖州市南浔区政府办"]
    assert {identify(v)["agency_qualified_name"] for v in variants} == {"湖州市南浔区人民政府办公室"}


@pytest.mark.parametrize("printed, name, qualified", [
    # nobody prints 丽水市龙泉市安仁镇人民政府: that is only the qualified name
    ("龙泉市安仁镇人民政府", "龙泉市安仁镇人民政府", "丽水市龙泉市安仁镇人民政府"),
    ("平潭县人民政府", "平潭县人民政府", "福州市平潭县人民政府"),
    ("莆田市", "莆田市", "莆田市人民政府"),
    ("南浔区府办", "南浔区府办", "湖州市南浔区人民政府办公室"),
    ("湖 州 市 南 潯 區 人 民 政 府", "湖州市南浔区人民政府", "湖州市南浔区人民政府"),  # spaces, script
    ("（上海市科委）", "上海市科委", "上海市科委"),
])
def test_the_name_is_kept_as_printed_in_simplified_script(printed, name, qualified):
    got = identify(printed)
    assert (got["agency_name"], got["agency_qualified_name"]) == (name, qualified)


def test_division_code_of_a_unified_social_credit_code():
    # 1 (机构编制) 1 (机关) 330525 (division) 002565347 (organisation code) 4 (check character)
    assert division_code("113305250025653474/2021-00202") == "330525"
    assert division_code("11330800MB0R57773W/2021-119567") == "330800"
    assert division_code("113305250025653475/2021-00202") is None    # wrong check character
    assert division_code("002565347/2021-00202") is None              # an organisation code only
    assert division_code(None) is None


def test_place_of_a_division_code():
    assert place_of_division("330503") == {"province": "浙江省", "city": "湖州市", "county": "南浔区", "admin_level": "county"}
    assert place_of_division("330800") == {"province": "浙江省", "city": "衢州市", "county": None, "admin_level": "city"}
    # a code no longer in use: read at the prefecture level
    assert place_of_division("330525") == {"province": "浙江省", "city": "湖州市", "county": None, "admin_level": "county"}
    assert place_of_division("330000")["admin_level"] == "province"
    assert place_of_division("100000")["admin_level"] == "central"


def test_geography_from_name_and_index_number():
    nx = identify("湖州市南浔区人民政府", "113305250025653474/2021-00202")
    assert (nx["province"], nx["city"], nx["county"], nx["admin_level"], nx["division_code"]) == (
        "浙江省", "湖州市", "南浔区", "county", "330525")
    # a name that states no place: the code places it
    short = identify("市营商办", "11330800MB0R57773W/2021-119567")
    assert (short["province"], short["city"], short["admin_level"]) == ("浙江省", "衢州市", "city")
    # a code that disagrees with the name is ignored (never overrides what the name says)
    wrong = identify("宁波市交通运输局", "11330800MB0R57773W/2021-119567")
    assert (wrong["province"], wrong["city"]) == ("浙江省", "宁波市")
    township = identify("湖州市南浔区双林镇人民政府")
    assert (township["county"], township["admin_level"]) == ("南浔区", "township")
    assert identify("江山市人民政府")["city"] == "衢州市"          # a county-level city
    assert identify("国家统计局")["admin_level"] == "central"
    # ministries named without 国家/国务院: central too, so a null province has its reason
    for ministry in ("生态环境部", "交通运输部", "海关总署", "审计署"):
        assert (identify(ministry)["admin_level"], identify(ministry)["province"]) == ("central", None)
    # nor does a 索引号 registered in a province place one there (水利部 with a 150100 code)
    assert place_of_division("150100")["province"] == "内蒙古自治区"
    index = _with_check_character("11150100000014349") + "/2024-00001"
    assert division_code(index) == "150100"
    assert (identify("水利部", index)["admin_level"], identify("水利部", index)["province"]) == ("central", None)
    assert identify("宣传部")["admin_level"] is None  # a department printed without its place


def _with_check_character(head17: str) -> str:
    """A unified social credit code: 17 characters and the check character GB 32100 gives them."""
    from nianbao.parse.agency import _USCC_CHARS, _USCC_WEIGHTS

    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(head17, _USCC_WEIGHTS))
    return head17 + _USCC_CHARS[(31 - total % 31) % 31]

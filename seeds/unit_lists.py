"""The responsible units and named bodies of the plans (牵头单位 / 配合单位, 领导小组 …).

Each with the fragment of plan 003 that names it (checked verbatim by tests/seeds/
test_quotes.py); kinds as core.orgs.UnitKind; `park` links a park bureau or the committee to
its park. The list's order is the order of the /units page.
"""

from typing import TypedDict


class UnitRow(TypedDict, total=False):
    """One unit: code, name, kind, park, duties and the plan's words that name it."""

    code: str
    name: str
    kind: str
    park: str
    description: str
    section: str
    quote: str


UNITS: list[UnitRow] = [
    {
        "code": "zone-committee",
        "name": "佛山高新区管委会",
        "kind": "zone_committee",
        "park": "zone",
        "section": "二(四)",
        "quote": "牵头单位:佛山高新区管委会",
    },
    {
        "code": "chancheng-gov",
        "name": "禅城区人民政府",
        "kind": "district_government",
        "section": "五(二)",
        "quote": "牵头单位:禅城区人民政府",
    },
    {
        "code": "nanhai-gov",
        "name": "南海区人民政府",
        "kind": "district_government",
        "section": "二(一)",
        "quote": "牵头单位:南海区人民政府",
    },
    {
        "code": "shunde-gov",
        "name": "顺德区人民政府",
        "kind": "district_government",
        "section": "二(一)",
        "quote": "牵头单位:顺德区人民政府",
    },
    {
        "code": "gaoming-gov",
        "name": "高明区人民政府",
        "kind": "district_government",
        "section": "二(二)",
        "quote": "牵头单位:高明区人民政府",
    },
    {
        "code": "sanshui-gov",
        "name": "三水区人民政府",
        "kind": "district_government",
        "section": "二(三)",
        "quote": "牵头单位:三水区人民政府",
    },
    {
        "code": "chancheng-bureau",
        "name": "佛山高新区禅城园管理局",
        "kind": "park_bureau",
        "park": "chancheng",
        "section": "五(二)",
        "quote": "佛山高新区禅城园管理局",
    },
    {
        "code": "nanhai-bureau",
        "name": "佛山高新区南海园管理局",
        "kind": "park_bureau",
        "park": "nanhai",
        "section": "二(一)",
        "quote": "佛山高新区南海园管理局",
    },
    {
        "code": "shunde-bureau",
        "name": "佛山高新区顺德园管理局",
        "kind": "park_bureau",
        "park": "shunde",
        "section": "二(一)",
        "quote": "佛山高新区顺德园管理局",
    },
    {
        "code": "gaoming-bureau",
        "name": "佛山高新区高明园管理局",
        "kind": "park_bureau",
        "park": "gaoming",
        "section": "二(二)",
        "quote": "佛山高新区高明园管理局",
    },
    {
        "code": "sanshui-bureau",
        "name": "佛山高新区三水园管理局",
        "kind": "park_bureau",
        "park": "sanshui",
        "section": "二(三)",
        "quote": "佛山高新区三水园管理局",
    },
    {
        "code": "city-ndrc",
        "name": "市发展改革局",
        "kind": "city_bureau",
        "section": "二(一)",
        "quote": "配合单位:市发展改革局",
    },
    {
        "code": "city-science",
        "name": "市科技局",
        "kind": "city_bureau",
        "section": "三(四)",
        "quote": "配合单位:市科技局",
    },
    {
        "code": "city-miit",
        "name": "市工业和信息化局",
        "kind": "city_bureau",
        "section": "二(一)",
        "quote": "市发展改革局、科技局、工业和信息化局",
    },
    {
        "code": "city-commerce",
        "name": "市商务局",
        "kind": "city_bureau",
        "section": "二(一)",
        "quote": "工业和信息化局、商务局",
    },
    {
        "code": "city-key-projects",
        "name": "市重点项目工作局",
        "kind": "city_bureau",
        "section": "二(一)",
        "quote": "商务局、重点项目工作局",
    },
    {
        "code": "city-finance",
        "name": "市财政局",
        "kind": "city_bureau",
        "section": "七(三)",
        "quote": "牵头单位:市财政局",
    },
    {
        "code": "city-education",
        "name": "市教育局",
        "kind": "city_bureau",
        "section": "三(一)",
        "quote": "配合单位:市教育局",
    },
    {
        "code": "city-hr",
        "name": "市人力资源社会保障局",
        "kind": "city_bureau",
        "section": "三(三)",
        "quote": "工业和信息化局、人力资源社会保障局",
    },
    {
        "code": "city-market",
        "name": "市市场监管局",
        "kind": "city_bureau",
        "section": "四(一)",
        "quote": "商务局、市场监管局",
    },
    {
        "code": "city-data",
        "name": "市政务服务数据管理局",
        "kind": "city_bureau",
        "section": "四(四)",
        "quote": "市场监管局、政务服务数据管理局、行政服务中心",
    },
    {
        "code": "city-service-centre",
        "name": "市行政服务中心",
        "kind": "city_bureau",
        "section": "四(四)",
        "quote": "政务服务数据管理局、行政服务中心",
    },
    {
        "code": "city-finance-affairs",
        "name": "市金融工作局",
        "kind": "city_bureau",
        "section": "六(一)",
        "quote": "工业和信息化局、金融工作局",
    },
    {
        "code": "city-sasac",
        "name": "市国资委",
        "kind": "city_bureau",
        "section": "六(三)",
        "quote": "配合单位:市科技局、国资委、金融工作局",
    },
    {
        "code": "city-land",
        "name": "市自然资源局",
        "kind": "city_bureau",
        "section": "七(四)",
        "quote": "牵头单位:市自然资源局",
    },
    {
        "code": "city-ecology",
        "name": "市生态环境局",
        "kind": "city_bureau",
        "section": "五(一)",
        "quote": "自然资源局、生态环境局",
    },
    {
        "code": "city-housing",
        "name": "市住房城乡建设局",
        "kind": "city_bureau",
        "section": "七(四)",
        "quote": "配合单位:市住房城乡建设局",
    },
    {
        "code": "city-water",
        "name": "市水利局",
        "kind": "city_bureau",
        "section": "五(一)",
        "quote": "住房城乡建设局、水利局",
    },
    {
        "code": "city-renewal",
        "name": "市城市更新局",
        "kind": "city_bureau",
        "section": "七(四)",
        "quote": "住房城乡建设局、城市更新局",
    },
    {
        "code": "city-statistics",
        "name": "市统计局",
        "kind": "city_bureau",
        "section": "七(六)",
        "quote": "配合单位:市统计局",
    },
    {
        "code": "party-organisation",
        "name": "市委组织部",
        "kind": "party_office",
        "section": "七(二)",
        "quote": "牵头单位:市委组织部",
    },
    {
        "code": "party-policy",
        "name": "市委政研室",
        "kind": "party_office",
        "section": "七(五)",
        "quote": "配合单位:市委政研室",
    },
    {
        "code": "fogao-holding",
        "name": "广东佛高控股有限公司",
        "kind": "company",
        "section": "六(三)",
        "quote": "支持广东佛高控股有限公司完善投融资功能",
    },
    {
        "code": "torch-park",
        "name": "佛山火炬创新创业园有限公司",
        "kind": "company",
        "section": "六(四)",
        "quote": "佛山火炬创新创业园有限公司等设立双创基金",
    },
    {
        "code": "pboc-foshan",
        "name": "人行佛山市中心支行",
        "kind": "state_agency",
        "section": "六(四)",
        "quote": "人行佛山市中心支行",
    },
    {
        "code": "cbirc-foshan",
        "name": "佛山银保监分局",
        "kind": "state_agency",
        "section": "六(四)",
        "quote": "佛山银保监分局",
    },
    {
        "code": "gd-finance-zone",
        "name": "广东金融高新区管委会",
        "kind": "zone_committee",
        "section": "六(四)",
        "quote": "广东金融高新区管委会",
    },
    {
        "code": "leading-group",
        "name": "佛山高新区发展工作领导小组",
        "kind": "leading_body",
        "section": "七(一)",
        "quote": "佛山高新区发展工作领导小组牵头,将统筹协调推动本行动方案的执行作为“头号工程”",
        "description": "牵头统筹协调推动本行动方案的执行（“头号工程”）。",
    },
    {
        "code": "advisory-committee",
        "name": "专家咨询（顾问）委员会",
        "kind": "leading_body",
        "section": "七(一)",
        "quote": "组建专家咨询(顾问)委员会,为佛山高新区高质量发展建言献策",
        "description": "为佛山高新区高质量发展建言献策。",
    },
]

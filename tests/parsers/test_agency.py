"""The reporting organ, completed from the body when the title omits its county or city
(issue 2: "complete it from the title and the body when the title omits the county/city"),
and never completed from a name the body only mentions in passing.

Fixtures: seed 004's tables under other titles — a town answering its county's notice
(明溪县人民政府办公室关于…), a county department signing with its full name, and a town whose
body names only the city that issued the notice and another county in passing.
"""

import pytest

from parsers import parse
from parsers.classify import find_agency
from tests.conftest import FIXTURES

PARSERS = FIXTURES / "parsers"


@pytest.mark.parametrize(
    ("name", "agency"),
    [
        ("agency_from_notice_2020.txt", "明溪县胡坊镇人民政府"),  # the county office's notice
        ("agency_from_signature_2020.txt", "清流县交通运输局"),  # the signature block
        # "三明市人民政府办公室" may be the prefecture above the town's county: no completion;
        # "学习借鉴沙县区经验" names another district in passing
        ("agency_not_invented_2020.txt", "城关镇人民政府"),
    ],
)
def test_agency_completed_only_from_what_the_body_says(name, agency):
    report = parse((PARSERS / name).read_bytes())
    assert report.agency == agency
    assert report.is_complete


@pytest.mark.parametrize(
    ("title", "body", "agency"),
    [
        # the county name starts where the sentence's own words end
        ("胡坊镇2020年政府信息公开工作年度报告", "根据明溪县人民政府办公室关于做好年度报告工作的通知", "明溪县胡坊镇人民政府"),
        ("桑洲镇2019年政府信息公开工作年度报告", "我们宁海县桑洲镇认真落实", "宁海县桑洲镇人民政府"),
        # a department answering its county's notice belongs to that county; one citing the
        # city's notice may still be a county's department: not completed
        ("交通运输局2020年政府信息公开工作年度报告", "根据《明溪县人民政府办公室关于做好…的通知》", "明溪县交通运输局"),
        ("交通运输局2020年政府信息公开工作年度报告", "根据《三明市人民政府办公室关于做好…的通知》", "交通运输局"),
        # two different counties' notices: which one is the parent is not said
        ("城关镇2020年政府信息公开工作年度报告", "明溪县人民政府办公室关于…；沙县区人民政府办公室关于…", "城关镇人民政府"),
        # the title already names the district
        ("沙县区凤岗街道2021年政府信息公开工作年度报告", "明溪县人民政府办公室关于…", "沙县区凤岗街道办事处"),
        # "县政府" without any name: nothing to complete with
        ("瓦庙镇2020年政府信息公开工作年度报告", "在县政府的领导下", "瓦庙镇人民政府"),
    ],
)
def test_find_agency(title, body, agency):
    assert find_agency(title, body) == agency


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        # short forms become the organ's name, as a bare "…市"/"…镇" does
        ("云溪市政府2023年政府信息公开工作年度报告", "云溪市人民政府"),
        ("云溪市2023年政府信息公开工作年度报告", "云溪市人民政府"),
        ("青河镇政府2023年政府信息公开工作年度报告", "青河镇人民政府"),
        ("东城街道办2023年政府信息公开工作年度报告", "东城街道办事处"),
        ("云溪市政府办公室2023年政府信息公开工作年度报告", "云溪市政府办公室"),
    ],
)
def test_short_forms_of_government_names(title, agency):
    assert find_agency(title, "") == agency

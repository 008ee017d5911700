"""What each reader reads on a case: one wording per audience, and deadlines said the way people say them."""
import re

import pytest

from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from tests.cases.conftest import make_case


def read_as(client, login_as, user, language: str, url: str) -> str:
    client.submit("/logout", page="/")
    user.language = language
    db.session.commit()
    login_as(user)
    return client.get(url).get_data(as_text=True)


def texts(pattern: str, html: str) -> list[str]:
    return [" ".join(found.split()) for found in re.findall(pattern, html, re.S)]


@pytest.mark.parametrize("language, closing", [("en", "To be closed by {}"), ("zh", "预计{}前结案")])
def test_a_case_whose_result_is_in_says_by_when_it_will_be_closed(client, login_as, center, language, closing):
    case = make_case(center, "fast_retrieval", "report_delivered")
    expected = closing.format(case.due_date.isoformat())
    for user, url in ((center.enterprise, "/cases/"), (center.staff["retrieval"], "/workspace/?tab=all")):
        for html in (read_as(client, login_as, user, language, f"/cases/{case.reference}"),
                     read_as(client, login_as, user, language, url)):
            assert texts(r'data-due="closing">(.*?)</span>', html) == [expected]


READERS = {  # language -> (the enterprise reads, the center reads): the stage's name and the deadline
    "en": (("Corrections requested from you", "Answer due by {}"),
           ("Corrections requested", "The enterprise is to answer by {}")),
    "zh": (("请您补正", "请于{}前答复"), ("待补正", "企业应于{}前答复")),
}


@pytest.mark.parametrize("language", sorted(READERS))
def test_a_case_waiting_on_the_enterprise_is_named_one_way_for_each_reader(client, login_as, center, language):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    advance_case(case, "request_corrections", center.staff["pre_examination"], comment="请去掉视图中的阴影")
    db.session.commit()
    enterprise_reads, center_reads = READERS[language]
    for user, url, (name, due), other_name in (
            (center.enterprise, "/cases/", enterprise_reads, center_reads[0]),
            (center.staff["pre_examination"], "/workspace/?tab=all", center_reads, enterprise_reads[0])):
        due = due.format(case.due_date.isoformat())
        page = read_as(client, login_as, user, language, f"/cases/{case.reference}")
        badge = texts(r'data-stage="corrections_requested">(.*?)</span>', page)
        stepper = texts(r'data-side-state="corrections_requested">(.*?)</span>', page)
        request = texts(r'id="enterprise-request">\s*<h2[^>]*>(.*?)</h2>', page)
        assert (badge, stepper, request) == ([name], [name], [f"{name} · {due}"])
        assert texts(r'data-due="answer">(.*?)</span>', page) == [due]
        listed = read_as(client, login_as, user, language, url)
        assert texts(r'data-stage="corrections_requested">(.*?)</span>', listed) == [name]
        assert texts(r'data-due="answer">(.*?)</span>', listed) == [due]
        if other_name not in name:
            assert other_name not in page and other_name not in listed

"""Every list in the app, asked with junk query parameters, answers 200 or a 400 that says why — never a 500."""
from datetime import date

import pytest

from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from tests.cases.conftest import make_case

JUNK = ["1e20", "100000000000000000000", "-1", "abc", "", "x" * 5000, "吸顶灯🙂", "\x00"]
PARAMETERS = ["per_page", "sort", "order", "stage", "state", "status", "role", "type", "tab", "post", "q",
              "mode", "case"]

# (who looks, the list's URL)
LISTS = [
    ("enterprise", "/cases/"),
    ("reporter", "/cases/"),
    ("staff", "/workspace/"),
    ("manager", "/workspace/"),
    ("enterprise", "/notifications/"),
    ("manager", "/admin/users/"),
    ("manager", "/admin/organisations/"),
    ("manager", "/admin/units/"),
    ("manager", "/admin/posts/"),
    ("staff", "/patents/?q=灯"),
    ("enterprise", "/patents/?q=lamp"),
    ("staff", "/patents/{patent}/similar"),
    ("staff", "/patents/export.csv?q=灯"),
]


@pytest.fixture
def filled(center):
    """A center with a case in every queue and a patent to be similar to."""
    for code in ("consultation", "patent_filing", "fast_retrieval"):
        make_case(center, code)
    patent = Patent(publication_number="CN305123456", kind_code="S", patent_type="design", country="CN",
                    title="水晶吊灯", abstract="本外观设计产品的名称是水晶吊灯。", publication_date=date(2021, 3, 5),
                    locarno="26-05")
    db.session.add(patent)
    db.session.commit()
    return {"enterprise": center.enterprise, "reporter": center.reporter, "staff": center.staff["consultation"],
            "manager": center.manager, "patent": patent.id}


@pytest.mark.parametrize("who, url", LISTS, ids=[f"{who}:{url}" for who, url in LISTS])
def test_junk_query_parameters_never_cause_a_server_error(client, login_as, filled, who, url):
    login_as(filled[who])
    path, _, query = url.format(patent=filled["patent"]).partition("?")
    fixed = dict(pair.split("=") for pair in query.split("&") if pair)
    # A Latin square: each request gives every parameter a different junk value, and over the requests
    # every parameter gets every value; `page` alone, since its refusal would hide the others.
    asked = [{name: JUNK[(row + column) % len(JUNK)] for column, name in enumerate(PARAMETERS)}
             for row in range(len(JUNK))] + [{"page": value} for value in JUNK]
    for junk in asked:
        response = client.get(path, query_string={**fixed, **junk})
        assert response.status_code in (200, 400), (junk, response.status_code)
        if response.status_code == 400:
            assert "could not be understood" not in response.get_data(as_text=True), junk


def test_a_page_far_beyond_the_last_is_refused_with_a_reason(client, login_as, center):
    login_as(center.enterprise)
    response = client.get("/cases/?page=100000000000000000000")
    assert response.status_code == 400
    assert "There is no page 100000000000000000000" in response.get_data(as_text=True)

"""Whatever the address bar holds, the search pages answer 200 or a 400 that says what is wrong, never a 500."""
import pytest

from ipcenter.accounts.models import Role
from tests.conftest import make_user
from tests.patents.test_search import collection  # noqa: F401  (the fixture)

LONG = "吸顶灯 " * 2500  # 10,000 characters
PARAMETERS = [
    {"q": "吸顶灯", "page": "1e20"}, {"q": "吸顶灯", "page": "-1"}, {"q": "吸顶灯", "page": "9" * 40},
    {"q": "吸顶灯", "page": "0x10"}, {"q": "吸顶灯", "per_page": "abc"}, {"q": "吸顶灯", "per_page": "-5"},
    {"q": "吸顶灯", "sort": "bogus"}, {"q": "吸顶灯", "mode": "bogus"}, {"q": "吸顶灯", "mode": "similar", "sort": "x"},
    {"q": "吸顶灯", "type": "<script>"}, {"q": "吸顶灯", "year": "9" * 40}, {"q": "吸顶灯", "year": "-1"},
    {"q": "吸顶灯", "cls": "\x00\x1f"}, {"q": "吸顶灯", "applicant": "x" * 5000}, {"q": "吸顶灯", "type": ["a"] * 50},
    {"q": LONG}, {"q": LONG, "mode": "similar"}, {"q": "\x00"}, {"q": "ti:" + "(" * 500},
    {"q": "NOT " * 400 + "灯"}, {"q": "*"},
    {"q": "pd:[00000000 TO 99999999]"}, {"q": "pd:99999999"}, {"q": '"' + "灯 " * 3000 + '"~999999999999'},
    {"q": "吸顶灯", "case": "ZS-0000-999999"}, {"q": "吸顶灯", "case": "x" * 5000},
    {"q": "吸顶灯", "endpoint": "x"}, {"q": "吸顶灯", "_anchor": "x"}, {"q": "吸顶灯", "_external": "1"},
    {"q": "吸顶灯", "patent_id": "1"}, {"q": "吸顶灯", "file_format": "pdf"}, {"q": "灯】"},
]


@pytest.mark.parametrize("path", ["/patents/", "/patents/export.csv", "/patents/export.xlsx", "similar"])
def test_junk_query_parameters_get_200_or_a_400_with_a_reason(client, login_as, collection, path):
    login_as(make_user(Role.STAFF))
    if path == "similar":
        path = f"/patents/{next(iter(collection.values()))}/similar"
    for parameters in PARAMETERS:
        response = client.get(path, query_string=parameters)
        assert response.status_code in (200, 400), (parameters, response.status_code)
        if response.status_code == 400:
            text = response.get_data(as_text=True)
            assert any(reason in text for reason in ("invalid-feedback", 'id="query-error"', 'id="error-message"'))
            assert "could not be understood" not in text, parameters

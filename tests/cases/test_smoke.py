from tests.cases.conftest import make_case


def test_case_page_renders_for_each_role(client, login_as, center):
    case = make_case(center, "patent_filing")
    for user in (center.enterprise, center.staff["intake"], center.manager):
        login_as(user)
        response = client.get(f"/cases/{case.reference}")
        assert response.status_code == 200, response.get_data(as_text=True)[:3000]
        client.submit("/logout", page="/")

"""The case page's stepper: where the case is on its main path, with a side state marked on its step."""
import pytest

from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from tests.cases.conftest import make_case


def current_step(client, login_as, user, case) -> str:
    client.submit("/logout", page="/")
    login_as(user)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    return page.split('aria-current="step"')[0].rsplit("<li", 1)[1] + page.split('aria-current="step"')[1] \
        .split("</li>")[0]


@pytest.mark.parametrize("request_action, step, for_enterprise, for_center", [
    ("request_corrections", "pre_examination", "Corrections requested from you", "Corrections requested"),
    ("request_materials", "pre_examination", "Awaiting your materials", "Awaiting materials"),
])
def test_the_current_step_shows_what_the_case_waits_for(client, login_as, center, request_action, step,
                                                        for_enterprise, for_center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    advance_case(case, request_action, center.staff["pre_examination"], comment="请补充")
    db.session.commit()
    seen = current_step(client, login_as, center.enterprise, case)
    assert f'data-stage="{step}"' in seen and for_enterprise in seen
    seen = current_step(client, login_as, center.staff["pre_examination"], case)
    assert f'data-stage="{step}"' in seen and for_center in seen and "your" not in seen


def test_materials_asked_while_corrections_are_still_mark_the_main_step(client, login_as, center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    advance_case(case, "request_corrections", center.staff["pre_examination"], comment="请修改")
    advance_case(case, "request_materials", center.staff["pre_examination"], comment="请补充")
    db.session.commit()
    seen = current_step(client, login_as, center.enterprise, case)
    assert 'data-stage="pre_examination"' in seen and "Awaiting your materials" in seen

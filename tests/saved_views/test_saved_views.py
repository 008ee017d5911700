"""A staff member saves the finder's filters as a named view, for themselves or for their post, finds it in the
workspace, opens the finder with it by default, renames and deletes it; nobody else sees or uses it, and no
enterprise or unit ever does."""
import re
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from ipcenter.extensions import db
from ipcenter.saved_views.models import DefaultView, SavedView
from ipcenter.saved_views.operations import save_view
from tests.cases.conftest import center, make_case  # noqa: F401  (the fixture)
from tests.cases.test_lists import references

LAMP = quote("吊灯")


def save(client, query: str, name: str, shared_with: int = 0, make_default: bool = False, **fields):
    """"Save this view" on the finder showing `query`."""
    data = {"name": name, "shared_with": str(shared_with), **fields}
    if make_default:
        data["make_default"] = "y"
    return client.submit(f"/cases/find?{query}", data, page=f"/cases/find?{query}")


def views() -> list[SavedView]:
    db.session.expire_all()
    return list(db.session.scalars(select(SavedView).order_by(SavedView.id)))


def beside(field_id: str, message: str, page: str) -> bool:
    """`message` is the error written right under the field."""
    error = re.escape(str(escape(message)))
    return re.search(rf'id="{field_id}"[^>]*>\s*(<option[^<]*</option>\s*)*(</select>\s*)?'
                     rf'<div class="invalid-feedback d-block">{error}</div>', page) is not None


@pytest.fixture
def lamps(center):
    """Two open chandelier cases, a closed one, and a wall lamp's."""
    return [make_case(center, "consultation", title=f"吊灯咨询{n}") for n in range(2)] + [
        make_case(center, "consultation", "closed", title="吊灯旧案"),
        make_case(center, "consultation", title="壁灯咨询")]


def test_the_finders_filters_are_saved_as_read_and_found_again_in_the_workspace(client, login_as, center, lamps):
    staff = center.staff["consultation"]
    post = center.posts["consultation"].id
    login_as(staff)
    answer = save(client, f"q={LAMP}&state=open&page=2&per_page=50&sort=newest&colour=red&post={post}&due_from=",
                  "  开放的吊灯  ")
    [view] = views()
    # Known filters only, as the finder reads them: no page, no defaults, nothing it does not know.
    assert (view.name, view.query, view.post_id, view.owner_id) == (
        "开放的吊灯", f"q={LAMP}&state=open&per_page=50&post={post}", None, staff.id)
    address = f"/cases/find?q={LAMP}&state=open&per_page=50&post={post}&view={view.id}"
    assert answer.status_code == 302 and answer.headers["Location"] == address
    shown = client.get(address)
    assert set(references(shown)) == {lamps[0].reference, lamps[1].reference}
    page = shown.get_data(as_text=True)
    assert "The saved view “开放的吊灯” is applied." in page and 'href="/cases/find?state=all" id="all-cases"' in page
    workspace = client.get("/workspace/").get_data(as_text=True)
    assert f'href="{address.replace("&", "&amp;")}">开放的吊灯</a>' in workspace
    # Filters changed by hand are no longer the view: the finder does not claim they are.
    assert "is applied" not in client.get(f"{address}&type=patent_filing").get_data(as_text=True)


def test_the_default_view_opens_the_finder_and_every_case_is_one_click_away(client, login_as, center, lamps):
    login_as(center.staff["consultation"])
    save(client, f"q={LAMP}&state=open", "开放的吊灯", make_default=True)
    save(client, "state=closed", "已结案")
    mine, closed = views()
    opened = client.get("/cases/find")
    address = f"/cases/find?q={LAMP}&state=open&view={mine.id}"
    assert opened.status_code == 302 and opened.headers["Location"] == address
    assert "Your default view is applied: “开放的吊灯”." in client.get(address).get_data(as_text=True)
    every = client.get("/cases/find?state=all")
    assert set(references(every)) == {case.reference for case in lamps} and "is applied" not in every.get_data(
        as_text=True)
    assert client.submit(f"/cases/views/{closed.id}/default", {"next": "/workspace/"}, page="/workspace/"
                         ).headers["Location"] == "/workspace/"
    assert client.get("/cases/find").headers["Location"] == f"/cases/find?state=closed&view={closed.id}"
    assert 'id="default-view"' in client.get("/workspace/").get_data(as_text=True)
    client.submit("/cases/views/default/clear", page="/workspace/")
    assert client.get("/cases/find").status_code == 200


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the view a name."),
    ("   ", "Give the view a name."),
    ("灯" * 81, "A view's name has at most 80 characters."),
    ("开放的吊灯", "You have a view named “开放的吊灯” already: choose another name."),
])
def test_a_name_empty_too_long_or_taken_is_refused_beside_the_field(client, login_as, center, lamps, name, message):
    login_as(center.staff["consultation"])
    save(client, "state=open", "开放的吊灯")
    answer = save(client, f"q={LAMP}&state=closed", name)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and beside("view-name", message, page)
    assert f'value="{"吊灯"}"' in page and references(answer) == [lamps[2].reference]  # the finder as it was
    assert len(views()) == 1


def test_a_view_shared_with_a_post_one_is_not_on_is_refused_with_the_reason(client, login_as, center):
    login_as(center.staff["consultation"])
    answer = save(client, "state=open", "检索岗的", shared_with=center.posts["retrieval"].id)
    assert answer.status_code == 400 and beside(
        "view-shared-with", f"You are not on the post {center.posts['retrieval'].name_en}: share the view with one "
        "of your own posts, or keep it to yourself.", answer.get_data(as_text=True))
    answer = save(client, "state=open", "无此岗", shared_with=99999)
    assert answer.status_code == 400 and beside("view-shared-with", "There is no such post.",
                                                answer.get_data(as_text=True))
    assert views() == []


@pytest.fixture
def shared(client, login_as, center):
    """A view of the consultation post's open cases, shared with it by one of its staff."""
    login_as(center.staff["consultation"])
    save(client, "state=open&sort=due", "本岗待办", shared_with=center.posts["consultation"].id)
    client.submit("/logout", page="/")
    return views()[0]


def test_the_posts_staff_use_a_shared_view_and_may_make_it_their_default_but_not_change_it(
        client, login_as, center, shared):
    login_as(center.colleague["consultation"])
    workspace = client.get("/workspace/").get_data(as_text=True)
    assert "本岗待办" in workspace and f'id="manage-view-{shared.id}"' not in workspace
    page = client.get(f"/cases/find?state=open&sort=due&view={shared.id}").get_data(as_text=True)
    assert "The saved view “本岗待办” is applied." in page
    assert client.submit(f"/cases/views/{shared.id}/default", page="/workspace/").status_code == 302
    assert client.get("/cases/find").headers["Location"] == f"/cases/find?state=open&sort=due&view={shared.id}"
    assert client.submit(f"/cases/views/{shared.id}/rename", {"name": "改名"}, page="/workspace/").status_code == 403
    assert client.submit(f"/cases/views/{shared.id}/delete", page="/workspace/").status_code == 403
    assert [view.name for view in views()] == ["本岗待办"]


@pytest.mark.parametrize("who", ["outsider_staff", "intake_staff"])
def test_another_posts_staff_neither_see_nor_use_a_shared_view(client, login_as, center, shared, who):
    login_as(center.outsider_staff if who == "outsider_staff" else center.staff["intake"])
    assert "本岗待办" not in client.get("/workspace/").get_data(as_text=True)
    assert client.get(f"/cases/find?state=open&sort=due&view={shared.id}").status_code == 404
    assert client.get(f"/cases/views/{shared.id}").status_code == 404
    assert client.submit(f"/cases/views/{shared.id}/default", page="/workspace/").status_code == 404
    assert client.submit(f"/cases/views/{shared.id}/delete", page="/workspace/").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(DefaultView)) == 0 and len(views()) == 1


def test_a_manager_sees_a_shared_view_and_deletes_it_for_everyone(client, login_as, center, shared):
    login_as(center.colleague["consultation"])
    client.submit(f"/cases/views/{shared.id}/default", page="/workspace/")
    client.submit("/logout", page="/")
    login_as(center.manager)
    assert f'id="manage-view-{shared.id}"' in client.get("/workspace/").get_data(as_text=True)
    assert client.submit(f"/cases/views/{shared.id}/rename", {"name": "改名"}, page="/workspace/").status_code == 403
    answer = client.submit(f"/cases/views/{shared.id}/delete", page=f"/cases/views/{shared.id}")
    assert answer.status_code == 302 and views() == []
    client.submit("/logout", page="/")
    login_as(center.colleague["consultation"])
    assert client.get("/cases/find").status_code == 200  # the default went with the view


def test_a_private_view_is_its_owners_alone(client, login_as, center):
    login_as(center.staff["consultation"])
    save(client, "state=open", "我的待办")
    [view] = views()
    for other, refused in ((center.colleague["consultation"], 404), (center.manager, 403)):
        client.submit("/logout", page="/")
        login_as(other)
        assert "我的待办" not in client.get("/workspace/").get_data(as_text=True)
        assert client.get(f"/cases/find?state=open&view={view.id}").status_code == refused
        assert client.get(f"/cases/views/{view.id}").status_code == refused
        assert client.submit(f"/cases/views/{view.id}/default", page="/workspace/").status_code == refused
        assert client.submit(f"/cases/views/{view.id}/delete", page="/workspace/").status_code == refused
    assert len(views()) == 1


@pytest.mark.parametrize("who", ["enterprise", "reporter"])
def test_enterprises_and_units_have_no_saved_views(client, login_as, center, shared, who):
    login_as(getattr(center, who))
    assert client.get(f"/cases/views/{shared.id}").status_code == 403
    assert client.get(f"/cases/find?state=open&sort=due&view={shared.id}").status_code == 403
    assert save(client, "state=open", "企业的").status_code == 403
    assert client.submit(f"/cases/views/{shared.id}/default", page="/").status_code == 403
    assert client.submit(f"/cases/views/{shared.id}/delete", page="/").status_code == 403
    assert len(views()) == 1


def test_the_owner_renames_and_deletes_a_view(client, login_as, center):
    login_as(center.staff["consultation"])
    save(client, "state=open", "我的待办")
    save(client, "state=closed", "已结案")
    view = views()[0]
    answer = client.submit(f"/cases/views/{view.id}/rename", {"name": "已结案"})
    assert answer.status_code == 400 and beside(
        "name", "You have a view named “已结案” already: choose another name.", answer.get_data(as_text=True))
    answer = client.submit(f"/cases/views/{view.id}/rename", {"name": ""})
    assert answer.status_code == 400 and beside("name", "Give the view a name.", answer.get_data(as_text=True))
    assert client.submit(f"/cases/views/{view.id}/rename", {"name": "开放的"}).status_code == 302
    assert [v.name for v in views()] == ["开放的", "已结案"]
    view_id = view.id
    assert client.submit(f"/cases/views/{view_id}/delete").headers["Location"] == "/workspace/"
    assert [v.name for v in views()] == ["已结案"]
    assert client.get(f"/cases/find?state=open&view={view_id}").status_code == 404


def test_leaving_the_post_ends_a_shared_view_and_the_default_made_of_it(client, login_as, center, shared):
    colleague = center.colleague["consultation"]
    login_as(colleague)
    client.submit(f"/cases/views/{shared.id}/default", page="/workspace/")
    colleague.posts.clear()
    db.session.commit()
    assert client.get("/cases/find").status_code == 200
    assert "本岗待办" not in client.get("/workspace/").get_data(as_text=True)


def test_a_form_sent_twice_saves_one_view(client, login_as, center):
    login_as(center.staff["consultation"])
    key = "k" * 43
    first = save(client, "state=open", "我的待办", submission_key=key)
    again = save(client, "state=open", "我的待办", submission_key=key)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert len(views()) == 1


def test_the_workspace_offers_the_finder_and_says_how_to_save_a_view(client, login_as, center):
    login_as(center.staff["consultation"])
    page = client.get("/workspace/").get_data(as_text=True)
    assert 'href="/cases/find" id="open-finder"' in page and 'id="no-saved-views"' in page


def test_a_kept_workspace_shows_a_view_shared_since_it_was_kept(client, login_as, center):
    colleague = center.colleague["consultation"]
    login_as(colleague)
    assert "本岗待办" not in client.get("/workspace/").get_data(as_text=True)
    save_view(center.staff["consultation"], "本岗待办", "state=open", center.posts["consultation"].id, False)
    db.session.commit()
    assert "本岗待办" in client.get("/workspace/").get_data(as_text=True)

"""A patent's page lists its similar patents without searching for them on every view: the answer is found once
for each record and viewer, and found again once the index has changed."""
import re
from datetime import date

import pytest

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents import similar
from ipcenter.patents.models import Patent
from tests.conftest import make_organisation, make_user


def _lamp(number: str, title: str, **fields) -> Patent:
    lamp = Patent(**{"country": "CN", "publication_number": number, "kind_code": "S", "patent_type": "design",
                     "title": title, "abstract": "金色灯臂的水晶吊灯，灯罩为水晶。",
                     "publication_date": date(2022, 5, 1),
                     "locarno": "26-05", **fields})
    db.session.add(lamp)
    db.session.commit()  # the index follows the commit
    return lamp


def _similar_on(client, patent: Patent) -> list[str]:
    html = client.get(f"/patents/{patent.id}").get_data(as_text=True)
    listed = re.search(r'<ol class="small mb-1" id="similar">(.*?)</ol>', html, re.S).group(1)
    return re.findall(r">(CN\d+S)</a>", listed)


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """The records whose similar patents were searched for, in order."""
    searched = []
    search = similar.more_like

    def counted(user, patent, **options):
        searched.append(patent.id)
        return search(user, patent, **options)

    monkeypatch.setattr(similar, "more_like", counted)
    return searched


def test_similar_patents_are_searched_once_until_the_index_changes(client, login_as, searches):
    chandelier = _lamp("CN301000001", "六臂水晶吊灯")
    _lamp("CN301000002", "八臂水晶吊灯")
    login_as(make_user(Role.STAFF))
    assert _similar_on(client, chandelier) == ["CN301000002S"]
    assert _similar_on(client, chandelier) == ["CN301000002S"]
    assert searches == [chandelier.id]

    _lamp("CN301000003", "六臂水晶吊灯（金色）")
    assert sorted(_similar_on(client, chandelier)) == ["CN301000002S", "CN301000003S"]
    assert searches == [chandelier.id, chandelier.id]


def test_each_viewer_is_shown_only_the_similar_patents_they_may_see(client, login_as, searches):
    theirs = make_organisation()
    chandelier = _lamp("CN301000001", "六臂水晶吊灯")
    _lamp("CN301000002", "六臂水晶吊灯（未公开）", publication_date=None, organisation_id=theirs.id)
    login_as(make_user(Role.STAFF))
    assert _similar_on(client, chandelier) == ["CN301000002S"]
    client.submit("/logout", page="/")
    login_as(make_user(Role.ENTERPRISE))
    assert _similar_on(client, chandelier) == []
    client.submit("/logout", page="/")
    login_as(make_user(Role.ENTERPRISE, organisation=theirs))
    assert _similar_on(client, chandelier) == ["CN301000002S"]
    assert searches == [chandelier.id] * 3

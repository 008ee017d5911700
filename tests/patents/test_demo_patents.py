"""The demonstration collection reads like real Chinese patents: nothing published after the center's today,
each kind described in its own words."""
from datetime import date

import pytest
from sqlalchemy import func, select

from ipcenter.calendar import center_today
from ipcenter.extensions import db
from ipcenter.patents import demo
from ipcenter.patents.models import Patent


@pytest.mark.parametrize("today", [date(2026, 3, 1), None])
def test_no_demo_patent_is_published_or_granted_after_today(app, monkeypatch, today):
    if today:  # a center whose today falls before the inventions the old collection published in 2027
        monkeypatch.setattr(demo, "center_today", lambda: today)
    demo.seed_demo_patents(600)
    db.session.commit()
    today = today or center_today()
    latest = db.session.execute(select(func.max(Patent.publication_date), func.max(Patent.grant_date))).one()
    assert max(latest) <= today and max(latest) >= date(today.year - 1, 1, 1)
    assert db.session.scalar(select(func.min(Patent.publication_date))) < date(2016, 1, 1)
    assert not db.session.scalar(select(func.count()).where(Patent.filing_date > Patent.publication_date))


def test_each_kind_of_demo_patent_is_described_in_its_own_words(app):
    demo.seed_demo_patents(300)
    db.session.commit()
    by_kind = {}
    for patent in db.session.scalars(select(Patent)):
        by_kind.setdefault(patent.patent_type, []).append(patent)
    assert all(p.abstract.startswith("本发明公开了") and "实用新型" not in p.abstract + p.claims
               for p in by_kind["invention"])
    assert all(p.abstract.startswith("本实用新型公开了") and "本发明" not in p.abstract
               for p in by_kind["utility_model"])
    assert all("本外观设计产品的名称：" in p.abstract and "设计要点" in p.abstract and not p.claims
               for p in by_kind["design"])
    assert min(len(patents) for patents in by_kind.values()) > 10

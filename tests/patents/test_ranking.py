"""Ranking: words typed together count for more where they stand together; the best matches of a search
tell what else the searcher wants (pseudo-relevance feedback), without changing what a query finds."""
from datetime import date

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.patents.search import ALL_RECORDS, search_patents, similar_patents
from tests.conftest import make_organisation, make_user

# Records about something else, so that shared words are telling ones.
KITCHEN = ["kitchen knife with a steel blade", "cutting board of bamboo", "pepper mill with a ceramic grinder",
           "bread toaster with two slots", "kettle with a whistle", "egg timer of glass", "rolling pin of beech",
           "garlic press of cast zinc"]


def add(number: int, title: str, abstract: str, published: date = date(2020, 1, 1), **fields) -> None:
    db.session.add(Patent(publication_number=f"CN2000000{number:02d}", kind_code="U", patent_type="utility_model",
                          country="CN", title=title, abstract=abstract, publication_date=published, **fields))


def add_kitchen() -> None:
    for number, text in enumerate(KITCHEN, start=50):
        add(number, text.capitalize(), f"A {text}.")


def order(results) -> list[str]:
    return [hit.patent.publication_number for hit in results.hits]


def test_words_typed_together_rank_first_where_they_stand_together(app):
    add_kitchen()
    add(1, "Fabric fitting", "A lamp with a steel frame and a fabric cover sewn round the shade.", date(2022, 1, 1))
    add(2, "Fabric fitting", "A lamp shade with a steel frame and a fabric cover sewn round the.", date(2019, 1, 1))
    db.session.commit()
    # the same words as often in records as long: only where they stand tells them apart (before, the newer won)
    assert order(search_patents(ALL_RECORDS, "lamp shade")) == ["CN200000002", "CN200000001"]
    assert order(search_patents(ALL_RECORDS, "lamp shade", sort="newest")) == ["CN200000001", "CN200000002"]


def add_lamps(**first) -> None:
    """The closest match to "lamp", and two records that match it alike, one like the first, one not; the
    unlike one is the newer, which came first before."""
    add_kitchen()
    add(1, "Lamp", "A lamp with a solar panel: the lamp charges a battery at night.", **first)
    add(2, "Lamp", "A lamp whose panel charges a battery for the night.", date(2019, 1, 1))
    add(3, "Lamp", "A lamp hung over the kitchen knife block.", date(2022, 1, 1))
    add(4, "Yard light", "A panel charges a battery that lights the yard at night.")
    db.session.commit()


def test_the_best_matches_lift_the_records_like_them_without_changing_what_a_query_finds(app):
    add_lamps()
    assert order(search_patents(ALL_RECORDS, "lamp")) == ["CN200000001", "CN200000002", "CN200000003"]
    # record 4, without the word, is not found: feedback orders a query's matches, it adds none
    assert search_patents(ALL_RECORDS, "lamp OR solar").total == 3
    similar = similar_patents(ALL_RECORDS, "Our lamp has a solar cell.")
    assert order(similar)[:3] == ["CN200000001", "CN200000002", "CN200000003"]
    by_date = similar_patents(ALL_RECORDS, "Our lamp has a solar cell.", sort="newest")
    assert sorted(order(by_date)) == sorted(order(similar))  # the same closest records in any order


def test_feedback_comes_only_from_records_the_searcher_may_see(app):
    add_lamps(published=None, organisation_id=make_organisation().id)
    staff, other = make_user(Role.STAFF), make_user(Role.ENTERPRISE, organisation=make_organisation())
    assert order(search_patents(staff, "lamp")) == ["CN200000001", "CN200000002", "CN200000003"]
    # another enterprise sees neither the unpublished record nor the order it would have given
    assert order(search_patents(other, "lamp")) == ["CN200000003", "CN200000002"]


def test_an_enterprise_ranking_never_moves_with_records_it_may_not_see(app):
    add(1, "Lamp", "A lamp.")
    add(2, "Shade", "A shade.")
    add(3, "Shade cover", "A shade cover.")
    db.session.commit()
    staff, enterprise = make_user(Role.STAFF), make_user(Role.ENTERPRISE, organisation=make_organisation())
    assert order(search_patents(enterprise, "lamp OR shade"))[0] == "CN200000001"  # the rarer word first
    for number in range(10, 16):  # another enterprise's unpublished lamps make "lamp" the commoner word
        add(number, "Lamp", "A lamp.", published=None, organisation_id=make_organisation().id)
    db.session.commit()
    assert order(search_patents(staff, "lamp OR shade"))[0] == "CN200000002"
    assert order(search_patents(enterprise, "lamp OR shade"))[0] == "CN200000001"
    assert order(similar_patents(enterprise, "a lamp and a shade"))[0] == "CN200000001"

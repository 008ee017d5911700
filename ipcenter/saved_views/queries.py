"""Which saved views a person sees, which one their finder opens with, and a view's filters as the finder's address."""
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..cases.queries import CaseFilters
from ..extensions import db
from ..list_filters import URL_FOR_SAFE, address_with_query
from ..organisations.models import Post
from ..permissions import can
from .models import DefaultView, SavedView

FINDER_DEFAULTS = {"default_sort": "newest", "default_state": "all"}  # as the finder reads its filters


def finder_query(args) -> str:
    """The finder's filters in `args`, written as `CaseFilters` reads them: the known ones only, each once, in one
    order, without defaults, and never the page; and the post, if there is one by that number."""
    query = CaseFilters.from_args(args, **FINDER_DEFAULTS).as_args()
    post_id = args.get("post", type=int)
    if post_id and db.session.get(Post, post_id) is not None:
        query["post"] = str(post_id)
    return urlencode(query, safe=URL_FOR_SAFE)


def finder_address(view: SavedView) -> str:
    """The finder showing the view: its filters, and its number (the finder then says which view it shows)."""
    return address_with_query("cases.find_cases", {}, {**dict(parse_qsl(view.query)), "view": view.id})


def named_view(args) -> tuple[int | None, SavedView | None]:
    """The view the finder's address names (`?view=`): its number, and the view if there is one by it."""
    view_id = args.get("view", type=int)
    return view_id, db.session.get(SavedView, view_id) if view_id else None


def shows_view(view: SavedView, args) -> bool:
    """Whether the finder's filters in `args` are still the view's (a page further on is still the view)."""
    return finder_query(args) == view.query


def default_view(user: User) -> SavedView | None:
    """The view `user`'s finder opens with, while they may still use it (a post left, a view unshared: none)."""
    chosen = db.session.get(DefaultView, user.id)
    return chosen.view if chosen is not None and can(user, "saved_view.use", chosen.view) else None


def views_seen_by(user: User) -> list[SavedView]:
    """The views `user` may open, by name: their own, and those shared with their posts (a manager's: every
    shared view, as the managers work every post)."""
    shared = SavedView.post_id.is_not(None) if can(user, "queue.every_post") else \
        SavedView.post_id.in_([post.id for post in user.posts])
    query = select(SavedView).where(or_(SavedView.owner_id == user.id, shared)).options(
        joinedload(SavedView.owner), joinedload(SavedView.post)).order_by(SavedView.name, SavedView.id)
    return [view for view in db.session.scalars(query) if can(user, "saved_view.use", view)]

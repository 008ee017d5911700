"""Saving, renaming and deleting a view, and choosing the one a person's finder opens with.

Operations flush and never commit (the request commits). A refusal names the form field at fault."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..accounts.models import User
from ..extensions import db
from ..i18n import localized_name
from ..organisations.models import Post
from ..permissions import can
from .models import NAME_LENGTH, DefaultView, SavedView

NAME_MISSING = _l("Give the view a name.")
NAME_TOO_LONG = _l("A view's name has at most %(n)d characters.", n=NAME_LENGTH)


class ViewRefused(ValueError):
    """Why a view cannot be saved as asked, and the form field at fault."""

    def __init__(self, message, field: str = "name"):
        super().__init__(message)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return str(self.message)


def save_view(owner: User, name: str, query: str, post_id: int | None, make_default: bool) -> SavedView:
    """`query` (as `queries.finder_query` writes it) under `name`: private (no post), or shared with one of the
    owner's posts."""
    name = _checked_name(owner, name)
    post = _shared_with(owner, post_id) if post_id else None
    view = SavedView(owner=owner, name=name, query=query, post=post)
    db.session.add(view)
    db.session.flush()
    if make_default:
        set_default(owner, view)
    return view


def rename_view(view: SavedView, name: str) -> None:
    view.name = _checked_name(view.owner, name, view)
    db.session.flush()


def delete_view(view: SavedView) -> None:
    """The view, and with it its place as anybody's default."""
    db.session.execute(delete(DefaultView).where(DefaultView.view_id == view.id))
    db.session.delete(view)
    db.session.flush()


def set_default(user: User, view: SavedView | None) -> None:
    """The view `user`'s finder opens with (None: every case, as before any was chosen)."""
    chosen = db.session.get(DefaultView, user.id)
    if view is None:
        if chosen is not None:
            db.session.delete(chosen)
    elif chosen is None:
        db.session.add(DefaultView(user_id=user.id, view=view))
    else:
        chosen.view = view
    db.session.flush()


def _shared_with(owner: User, post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        raise ViewRefused(_l("There is no such post."), field="shared_with")
    if not can(owner, "saved_view.share_with", post):
        raise ViewRefused(_l("You are not on the post %(post)s: share the view with one of your own posts, or keep "
                             "it to yourself.", post=localized_name(post)), field="shared_with")
    return post


def _checked_name(owner: User, name: str, renamed: SavedView | None = None) -> str:
    """The name as it is kept (without spaces around it); refused when empty, too long, or the name of another of
    the owner's views."""
    name = (name or "").strip()
    if not name:
        raise ViewRefused(NAME_MISSING)
    if len(name) > NAME_LENGTH:
        raise ViewRefused(NAME_TOO_LONG)
    same = db.session.scalar(select(SavedView).where(SavedView.owner_id == owner.id, SavedView.name == name))
    if same is not None and same is not renamed:
        raise ViewRefused(_l("You have a view named “%(name)s” already: choose another name.", name=name))
    return name

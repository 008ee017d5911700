"""A saved view (the finder's filters under a name) and the view each person opens the finder with."""
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..organisations.models import Post

NAME_LENGTH = 80


class SavedView(Model):
    """The finder's filters as `CaseFilters` reads them (a query string, never a page), named by its owner: seen by
    the owner alone, or by the staff of the post it is shared with (and the managers)."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    query: Mapped[str] = mapped_column(Text)
    # None: private. A post closed or removed leaves the view to its owner alone.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped["User"] = relationship()
    post: Mapped[Optional["Post"]] = relationship()

    def __repr__(self) -> str:
        return f"<SavedView {self.id} {self.name!r}>"


class DefaultView(Model):
    """The saved view a person's finder opens with when no filter is given: one of their own, or one shared with
    their post."""

    __tablename__ = "default_views"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("saved_views.id", ondelete="CASCADE"), index=True)

    view: Mapped[SavedView] = relationship()

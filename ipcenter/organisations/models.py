"""Enterprises, demonstration units and the center's posts."""
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import IntEnum, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..accounts.models import User


class OrganisationStatus(LabelledEnum):
    PENDING = 1, _l("Pending record")
    RECORDED = 2, _l("Recorded")
    REJECTED = 3, _l("Rejected")
    SUSPENDED = 4, _l("Suspended")


class ReviewAction(LabelledEnum):
    APPROVE = 1, _l("Approved")
    REJECT = 2, _l("Rejected")
    SUSPEND = 3, _l("Suspended")
    REINSTATE = 4, _l("Reinstated")


class UnitKind(LabelledEnum):
    PATENT_AGENCY = 1, _l("Patent agency")
    LAW_FIRM = 2, _l("Law firm")
    CHAMBER_OF_COMMERCE = 3, _l("Chamber of commerce")
    MODEL_ENTERPRISE = 4, _l("Model enterprise")


class Organisation(Model):
    """An enterprise served by the center."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(enum_check("status", OrganisationStatus), name="status_known"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        # One live registration per credit code: a rejected one frees it for the real company.
        Index("uq_organisations_credit_code_live", "credit_code", unique=True,
              sqlite_where=text(f"status != {OrganisationStatus.REJECTED.value}"),
              postgresql_where=text(f"status != {OrganisationStatus.REJECTED.value}")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(300))
    contact_person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    main_products: Mapped[str] = mapped_column(Text)
    status: Mapped[OrganisationStatus] = mapped_column(
        IntEnum(OrganisationStatus), default=OrganisationStatus.PENDING, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organisation", order_by="User.id")
    reviews: Mapped[list["OrganisationReview"]] = relationship(
        back_populates="organisation", order_by="OrganisationReview.id"
    )

    @property
    def is_recorded(self) -> bool:
        return self.status == OrganisationStatus.RECORDED

    def __repr__(self) -> str:
        return f"<Organisation {self.credit_code}>"


class OrganisationReview(Model):
    """One manager decision on an enterprise's record; the history is kept."""

    __tablename__ = "organisation_reviews"
    __table_args__ = (CheckConstraint(enum_check("action", ReviewAction), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ReviewAction] = mapped_column(IntEnum(ReviewAction))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="reviews")
    actor: Mapped["User"] = relationship()


class DemonstrationUnit(Model):
    """A partner that takes on delegated parts of cases and reports progress."""

    __tablename__ = "demonstration_units"
    __table_args__ = (CheckConstraint(enum_check("kind", UnitKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(IntEnum(UnitKind))
    contact_person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reporters: Mapped[list["User"]] = relationship(back_populates="unit", order_by="User.id")


post_members = Table(
    "post_members",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Post(Model):
    """A demonstration post: a service desk of the center that owns stages of the work."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["User"]] = relationship(
        secondary=post_members, back_populates="posts", order_by="User.display_name"
    )

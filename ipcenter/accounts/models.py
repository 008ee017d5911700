"""Users, their roles and their sessions."""
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import IntEnum, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..organisations.models import DemonstrationUnit, Organisation, Post


class Role(LabelledEnum):
    ENTERPRISE = 1, _l("Enterprise user")
    STAFF = 2, _l("Center staff")
    MANAGER = 3, _l("Center manager")
    UNIT_REPORTER = 4, _l("Demonstration-unit reporter")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(enum_check("role", Role), name="role_known"),
        CheckConstraint(
            f"(role = {Role.ENTERPRISE.value}) = (organisation_id IS NOT NULL)",
            name="enterprise_has_organisation",
        ),
        CheckConstraint(
            f"(role = {Role.UNIT_REPORTER.value}) = (unit_id IS NOT NULL)",
            name="reporter_has_unit",
        ),
        CheckConstraint("language IN ('zh', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(IntEnum(Role), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False only for a self-registered user until they follow the emailed link; invited users
    # prove their address by accepting the invitation, and managers vouch for the accounts they make.
    email_verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    language: Mapped[str] = mapped_column(String(5), default="zh")
    # Part of the login cookie; replacing it ends every copy of the session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("demonstration_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Optional["Organisation"]] = relationship(back_populates="users")
    unit: Mapped[Optional["DemonstrationUnit"]] = relationship(back_populates="reporters")
    posts: Mapped[list["Post"]] = relationship(secondary="post_members", back_populates="members")

    # Flask-Login protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_center(self) -> bool:
        return self.role in (Role.STAFF, Role.MANAGER)

    @property
    def invitation_pending(self) -> bool:
        return self.password_hash is None

    def __repr__(self) -> str:
        return f"<User {self.email}>"

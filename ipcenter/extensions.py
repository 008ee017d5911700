"""Flask extensions, created here and bound to the app in create_app."""
from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter and drop them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one table; SQLAlchemy types `__table__` as any FromClause, as a model may map a join.
    __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)
# The models' base class: `db.Model`, which type checkers see as the declarative base it is built on.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Dates read the same in both languages, as ISO 8601 (2026-11-26), whatever length a template asks for.
ISO_DATE_FORMATS = {"date.short": "yyyy-MM-dd", "date.medium": "yyyy-MM-dd", "date.long": "yyyy-MM-dd",
                    "datetime.short": "yyyy-MM-dd HH:mm", "datetime.medium": "yyyy-MM-dd HH:mm",
                    "datetime.long": "yyyy-MM-dd HH:mm:ss"}
babel = Babel(date_formats={**Babel.default_date_formats, **ISO_DATE_FORMATS})
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)  # storage chosen in ipcenter/throttling.py

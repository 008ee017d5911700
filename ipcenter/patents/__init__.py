"""The patent collection: records, import, the search index and searching."""
from flask import Blueprint

bp = Blueprint("patents", __name__)

from . import views  # noqa: E402,F401

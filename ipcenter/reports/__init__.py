"""Search reports: what a fast-retrieval case found (queries run, cited patents, the conclusion)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401

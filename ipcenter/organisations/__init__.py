"""Organisations: enterprises, demonstration units and the center's posts."""
from flask import Blueprint

bp = Blueprint("organisations", __name__)

from . import views  # noqa: E402,F401

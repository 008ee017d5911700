"""One database engine per test run, shared by every test's app.

Every test builds a new app, and Flask-SQLAlchemy a new engine for it. SQLAlchemy keeps its cache
of compiled statements on the engine (keyed by the engine's dialect), and a new engine also connects
and inspects the server afresh: so each test compiled every statement it ran again. Sharing the
engine made the case transition tests twice as fast. Flask-SQLAlchemy has no public way to hand an
app an engine, so this is the one place the tests touch its `_app_engines` map
(`tests/test_app.py::test_every_test_app_shares_the_run_s_engine` keeps it honest).
"""
from flask import Flask
from sqlalchemy.engine import Engine

from ipcenter.extensions import db


def share_engine(app: Flask, engine: Engine) -> None:
    """Make `engine` the default engine of `app`, dropping the unused one the app was built with."""
    engines = db._app_engines[app]
    if engines[None] is not engine:
        engines[None].dispose()
        engines[None] = engine

"""WSGI entry point: `gunicorn wsgi:app`; every `flask --app wsgi` command builds the same app."""
from ipcenter import create_app
from ipcenter.patents.index import drain_when_served

app = create_app()
drain_when_served(app)  # from the first request: a command serves none, so it starts nothing

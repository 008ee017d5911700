"""WSGI entry point: `gunicorn wsgi:app`."""
from ipcenter import create_app

app = create_app()

"""The yardstick of bench/pages.py: a bare Flask + Jinja page rendering one variable (`gunicorn bare_page:app`)."""
from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)
app.jinja_loader = DictLoader({"page.html": "<!doctype html><title>bare</title><p>Hello, {{ name }}!</p>"})


@app.route("/")
def page():
    return render_template("page.html", name="Guzhen")

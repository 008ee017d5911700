"""Werkzeug's URL builders, compiled once per run instead of once per test's app.

Every test builds a new app, and werkzeug compiles two Python functions for each of its ~60 URL
rules as they are added (`Rule._compile_builder`, a private method): 0.13 s of every test, more than
the test itself for most. The function it compiles depends only on the rule's text, its trace of
static and dynamic parts, its defaults and whether unknown arguments are appended; it reaches the
rule's converters through its `self` argument when called. So one compiled function serves the same
rule in every app. This is the one place the tests touch that private method
(`tests/test_app.py::test_cached_url_builders_are_the_ones_werkzeug_compiles` keeps it honest).
"""
from werkzeug.routing import Rule

_compile = Rule._compile_builder
_compiled: dict[tuple, object] = {}


def _builder_key(rule: Rule, append_unknown: bool) -> tuple:
    defaults = tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items()))
    return rule.rule, rule.subdomain, rule.host, tuple(rule._trace), defaults, append_unknown


def compiled_once(rule: Rule, append_unknown: bool = True):
    key = _builder_key(rule, append_unknown)
    if key not in _compiled:
        _compiled[key] = _compile(rule, append_unknown)
    return _compiled[key]


def share_url_builders() -> None:
    Rule._compile_builder = compiled_once


def compile_afresh(rule: Rule, append_unknown: bool):
    """What werkzeug itself compiles for `rule`, bypassing the cache."""
    return _compile(rule, append_unknown)

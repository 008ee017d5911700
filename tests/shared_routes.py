"""URL rules' builders compiled once per test run and shared by every test's app.

Every test builds a new app, and Werkzeug compiles the builder function of each of its URL rules from
an AST again: two thirds of the time it takes to build an app, spent by every test. A builder depends
only on the rule's text, its parsed trace, its defaults and whether it appends unknown arguments, and
it takes the rule as its first argument: one compiled builder serves every app's copy of a rule.
Werkzeug has no public way to share them, so this is the one place the tests touch its private
`Rule._compile_builder` (`tests/test_app.py` checks every shared builder against a fresh one).
"""
from werkzeug.routing.rules import Rule

compile_builder = Rule._compile_builder
BUILDERS: dict[tuple, object] = {}


def _shared_builder(rule: Rule, append_unknown: bool = True):
    key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
    if key not in BUILDERS:
        BUILDERS[key] = compile_builder(rule, append_unknown)
    return BUILDERS[key]


def share_route_builders() -> None:
    Rule._compile_builder = _shared_builder

"""The center's official notices: generated from Word templates at the steps that call for them, numbered per kind
and year, attached to the step on the case; managers replace the templates."""

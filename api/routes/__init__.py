"""Blueprints of the HTTP API, and the strict argument parser they share."""

from __future__ import annotations

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    """Reject unknown query parameters (webargs would silently drop them) with a 400."""

    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012 - webargs reads this class attribute
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
    }  # None: use the schema's RAISE
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint using the strict parser."""

    ARGUMENTS_PARSER = StrictParser()

"""Blueprints of the HTTP API, and the strict, fast query-string parser they share."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from api.routes.params import suggestion

QUERY_LOCATIONS = ("query", "querystring")


@cache
def _fields_by_parameter(schema: Schema) -> dict[str, fields.Field]:
    """Fields by the parameter name clients send (a field's ``data_key``: `developer.country` is a valid name)."""
    return {f.data_key or name: f for name, f in schema.load_fields.items()}


@cache
def _required(schema: Schema) -> tuple[str, ...]:
    return tuple(name for name, f in _fields_by_parameter(schema).items() if f.required)


@cache
def _defaults(schema: Schema) -> dict[str, Any]:
    """The value of each parameter left out (no parameter given is the most common request: it costs a copy)."""
    return {
        name: f.load_default() if callable(f.load_default) else f.load_default
        for name, f in _fields_by_parameter(schema).items()
        if f.load_default is not missing
    }


def load_query(schema: Schema, args: MultiDict[str, str]) -> dict[str, Any]:
    """Parse a query string against a schema, reading only the parameters present.

    An argument schema has a field per filter (hundreds on some collections): loading the whole
    schema would visit every one on every request. Unknown parameters, and a scalar parameter
    given twice, are errors that name the parameter (and the closest valid name).
    """
    by_param = _fields_by_parameter(schema)
    data = dict(_defaults(schema))
    errors: dict[str, Any] = {}
    for key in args:
        values = args.getlist(key)
        field = by_param.get(key)
        if field is None:
            errors[key] = [f"Unknown query parameter.{suggestion(key, list(by_param))}"]
        elif len(values) > 1 and not isinstance(field, fields.List):
            errors[key] = ["Given more than once; send it once (lists take commas or repeats only where documented as arrays)."]
        else:
            try:
                data[key] = field.deserialize(values if isinstance(field, fields.List) else values[0], key, args)
            except ValidationError as exc:
                errors[key] = exc.messages
    for name in _required(schema):
        if name not in args:
            errors[name] = ["Missing data for required field."]
    if errors:
        raise ValidationError(errors)
    return data


class StrictParser(FlaskParser):
    """Reject unknown and repeated query parameters with a 400; parse only what is present."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_querystring(self, req: Any, schema: Schema) -> Any:
        return req.args  # the raw MultiDict: load_query reads repeated values itself

    def _process_location_data(self, location_data: Any, schema: Schema, req: Any, location: str, unknown: Any, validators: Any) -> Any:
        if location not in QUERY_LOCATIONS:
            return super()._process_location_data(location_data, schema, req, location, unknown, validators)
        return load_query(schema, location_data)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint using the strict parser."""

    ARGUMENTS_PARSER = StrictParser()

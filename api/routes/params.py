"""Query-parameter schemas: typed, bounded and documented, generated from the table layout; errors that suggest the fix."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from api.cursor import MAX_CURSOR_LENGTH
from api.formats import FORMATS
from api.queries import PARTICIPANT, RELATION_SEPARATOR, Filter
from api.tables import COLLECTIONS, RECORD_TABLES, Collection, Column
from schema.fields import SLUG_MAX, SLUG_PATTERN, DateBound

# A whole day, with day ranges as DATE_PATTERN has them.
AS_OF_PATTERN = r"^(18|19|20)\d{2}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2\d))$"

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MAX_TEXT = 200  # longest text filter value
MAX_Q = 500  # longest search text
MAX_IN = 50  # most values in an `in` list
INT_BOUND = 2**53  # exact in JSON and far below SQLite's 2**63 overflow

OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "str": ("eq", "ne", "in", "contains", "isnull"),
    "enum": ("eq", "ne", "in", "isnull"),
    "ref": ("eq", "ne", "in", "isnull"),
    "date": ("eq", "ne", "gt", "gte", "lt", "lte", "isnull"),
    "int": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "isnull"),
    "float": ("eq", "ne", "gt", "gte", "lt", "lte", "isnull"),
    "bool": ("eq", "isnull"),
}
# One relation away, the operators that select the related records: equality and membership, dates by period.
RELATED_OPS_BY_KIND: dict[str, tuple[str, ...]] = {"enum": ("eq", "in"), "ref": ("eq", "in"), "bool": ("eq",), "date": ("eq", "gte", "lte")}
OP_WORDS = {
    "eq": "equals",
    "ne": "is not (unknown values match)",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "in": "is one of (comma-separated, or the parameter repeated)",
    "contains": "contains, case-insensitively,",
    "isnull": "is unknown (true) or known (false)",
}
DATE_RULE = (
    " Dates are periods at their precision: `2025` covers all of 2025. `eq` matches dates inside the given period;"
    " `gt`/`lt` match dates wholly after/before it; `gte`/`lte` match dates wholly from its start/up to its end."
)
NO_NUL_PATTERN = "^[^\\x00]*$"
LIST_ITEM_PATTERN = "^[^\\x00,]*$"  # items of a comma-separated list cannot hold commas


def closest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The choice a mistyped or wrongly cased word most likely meant, if any is close."""
    by_fold = {c.casefold(): c for c in choices}
    if word.casefold() in by_fold:
        return by_fold[word.casefold()]
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return found[0] if found else None


def suggestion(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """ " Did you mean 'x'?", or the valid names when there are few, or nothing."""
    near = closest(word, choices)
    if near:
        return f" Did you mean {near!r}?"
    if len(choices) <= 12:
        return " Valid: " + ", ".join(sorted(choices)) + "."
    return ""


class OneOfSuggesting(validate.OneOf):
    """A closed vocabulary whose error names the right spelling (`deepseek` for `DeepSeek`, `reasoning` for `Reasoning`)."""

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValidationError(f"must be one of the documented values, not {value!r}.{suggestion(str(value), [str(c) for c in self.choices])}")
        return value


def _slug_error(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")
    hint = f" Did you mean {slug!r}?" if slug and slug != value else ""
    return f"ids are lowercase slugs like 'deepseek-r1'.{hint}"


class SlugValidator(validate.Validator):
    """An id: a lowercase slug, with the slug of a wrongly written one suggested."""

    def __call__(self, value: str) -> str:
        if len(value) > SLUG_MAX or not re.fullmatch(SLUG_PATTERN, value):
            raise ValidationError(_slug_error(value))
        return value


def text(max_length: int = MAX_TEXT, pattern: str = NO_NUL_PATTERN, **kwargs: Any) -> fields.String:
    """A bounded string without NUL characters (documented as a pattern, enforced here)."""
    metadata = {"pattern": pattern, **kwargs.pop("metadata", {})}
    error = "must not contain NUL characters" + (" or commas" if "," in pattern else "")
    return fields.String(validate=[validate.Length(min=1, max=max_length), validate.Regexp(pattern, error=error)], metadata=metadata, **kwargs)


class QueryInteger(fields.Integer):
    """An integer as a query string writes one: ASCII digits with an optional minus (not "٢٠٢٥", "1_000" or "+1",
    which Python's int() would take)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+", value):
            raise ValidationError("must be a whole number in ASCII digits, like 128000")
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-any-return]


class QueryFloat(fields.Float):
    """A decimal number in ASCII digits (with an optional fraction and exponent), as a query string writes one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value):
            raise ValidationError("must be a number in ASCII digits, like 0.55")
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-any-return]


def _value_field(column: Column, in_list: bool = False, **kwargs: Any) -> fields.Field:
    """A field parsing one value of ``column`` from a query string, strictly."""
    if column.kind == "int":
        return QueryInteger(validate=validate.Range(-INT_BOUND, INT_BOUND), **kwargs)
    if column.kind == "float":
        return QueryFloat(allow_nan=False, validate=validate.Range(-1e15, 1e15), **kwargs)
    if column.kind == "bool":
        return fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"}, **kwargs)
    if column.kind == "date":
        return DateBound(**kwargs)
    if column.kind == "enum":
        return fields.String(validate=OneOfSuggesting(column.choices), **kwargs)
    if column.kind == "ref" or column.name == "id":
        metadata = {"pattern": SLUG_PATTERN, "maxLength": SLUG_MAX, **kwargs.pop("metadata", {})}
        return fields.String(validate=SlugValidator(), metadata=metadata, **kwargs)
    return text(pattern=LIST_ITEM_PATTERN if in_list else NO_NUL_PATTERN, **kwargs)


class ListParam(fields.List):
    """A list in the query string, as clients send one: the parameter repeated (`id__in=a&id__in=b`), or
    comma-separated (`id__in=a,b`), or both. Documented as an exploded array."""

    def __init__(self, item: fields.Field, **kwargs: Any) -> None:
        super().__init__(item, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise ValidationError("must be text")
        items = [part for v in values for part in v.split(",")]
        return super()._deserialize(items, attr, data, **kwargs)


def relation_filters(collection: Collection) -> list[str]:
    """List relations that filter and facet by membership; collections with participants add ``participant``,
    which matches any of their relations."""
    return [*collection.list_refs, *([PARTICIPANT] if collection.participants else [])]


@cache
def related_columns(collection: Collection) -> dict[str, tuple[str, Column]]:
    """Filters one relation away: ``<relation>.<column>`` → (relation, column of the related collection).

    Authored relations to other collections only; their enums, references, booleans and dates.
    """
    out: dict[str, tuple[str, Column]] = {}
    authored = collection.schema.fields
    for relation, target in collection.relations.items():
        if target == collection.name or target not in COLLECTIONS or relation not in authored or authored[relation].dump_only:
            continue
        for column in COLLECTIONS[target].columns:
            if column.kind in RELATED_OPS_BY_KIND and not column.name.endswith("_precision") and column.name != "id":
                out[f"{relation}{RELATION_SEPARATOR}{column.name}"] = (relation, column)
    return out


@cache
def filter_params(collection: Collection) -> dict[str, tuple[str, str]]:
    """Every filter parameter of a collection: name → (field, operator); a field may be ``relation.column``."""
    params: dict[str, tuple[str, str]] = {}
    for column in collection.columns:
        for op in OPS_BY_KIND[column.kind]:
            params[column.name if op == "eq" else f"{column.name}__{op}"] = (column.name, op)
    for name in relation_filters(collection):
        for op in ("eq", "ne", "in"):
            params[name if op == "eq" else f"{name}__{op}"] = (name, op)
    for path, (_, column) in related_columns(collection).items():
        for op in RELATED_OPS_BY_KIND[column.kind]:
            params[path if op == "eq" else f"{path}__{op}"] = (path, op)
    if collection.window:
        params.update({"from": (collection.window, "gt"), "to": (collection.window, "lte")})
    return params


def facetable(collection: Collection) -> list[str]:
    """Fields whose values can be counted: enums, countries, booleans, references, dates (by year), relations."""
    names = [c.name for c in collection.columns if c.kind in ("enum", "ref", "bool", "date") and not c.name.endswith("_precision")]
    return [*names, *relation_filters(collection)]


def expandable(collection: Collection) -> list[str]:
    """Relations whose ids ``expand`` replaces by the records (one level)."""
    return [name for name, target in collection.relations.items() if target in COLLECTIONS]


def response_fields(collection: Collection) -> list[str]:
    return list(collection.served_fields)


def _filter_field(collection: Collection, name: str, op: str, **kwargs: Any) -> fields.Field:
    if kwargs.get("data_key") in ("from", "to"):
        side = "after this day (exclusive)" if op == "gt" else "up to this day (inclusive)"
        description = f"Only changes {side}: `from=A&to=B` gives what changed between the `as_of` views of A and B. Example: `2025-01-01`."
        return as_of_field(description, **kwargs)
    related = related_columns(collection).get(name)
    if name in collection.list_refs or name == PARTICIPANT:
        column = Column(name, "ref", target=collection.list_refs.get(name))
        label = f"`{name}` lists a record that"
        if name == PARTICIPANT:
            label = "any relation (" + ", ".join(collection.list_refs) + ") lists a record that"
    elif related is not None:
        relation, column = related
        label = f"the record `{relation}` names has `{column.name}` that"
    else:
        column = collection.column_map[name]
        label = f"`{name}`"
    description = f"Only records where {label} {OP_WORDS[op]} the value." + (DATE_RULE if column.kind == "date" else "")
    if op == "isnull":
        return fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"}, metadata={"description": description}, **kwargs)
    if op == "in":
        item = _value_field(column, in_list=True)
        return ListParam(item, validate=validate.Length(min=1, max=MAX_IN), metadata={"description": description}, **kwargs)
    if op == "contains":
        return text(metadata={"description": description}, **kwargs)
    return _value_field(column, metadata={"description": description}, **kwargs)


def sortable(collection: Collection) -> list[str]:
    return [c.name for c in collection.columns]


class NameList(fields.String):
    """Comma-separated names from a fixed set, each at most once (later repeats are ignored)."""

    def __init__(self, choices: list[str], description: str, example: str, signed: bool = False, **kwargs: Any) -> None:
        self.choices = set(choices)
        self.signed = signed
        key = ("-?" if signed else "") + "(" + "|".join(sorted(choices, key=len, reverse=True)) + ")"
        allowed = ", ".join(f"`{c}`" for c in choices)
        metadata = {"pattern": f"^{key}(,{key})*$", "description": f"{description} One of: {allowed}. Example: `{example}`."}
        super().__init__(validate=validate.Length(min=1, max=1000), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[tuple[str, bool]]:  # type: ignore[override]
        raw = super()._deserialize(value, attr, data, **kwargs)
        names: dict[str, bool] = {}
        for part in raw.split(","):
            name = part.removeprefix("-") if self.signed else part
            if name not in self.choices:
                raise ValidationError(f"unknown name {name!r}.{suggestion(name, self.choices)}")
            names.setdefault(name, part.startswith("-"))
        return list(names.items())


def sort_field(collection: Collection) -> NameList:
    choices = sortable(collection)
    return NameList(
        choices,
        "Sort keys, comma-separated; `-` sorts descending; unknown values sort last; the id breaks ties. A key given twice counts once.",
        example=f"-{choices[1]},id",
        signed=True,
    )


class ArgsSchema(Schema):
    """Base of every query-string schema: unknown parameters are an error, not ignored."""

    class Meta:
        unknown = RAISE


class NoArgs(ArgsSchema):
    """Endpoints that take no query parameters still reject unknown ones."""


def page_fields() -> dict[str, fields.Field]:
    return {
        "limit": QueryInteger(
            load_default=DEFAULT_LIMIT,
            validate=validate.Range(1, MAX_LIMIT),
            metadata={"description": f"Records per page (1–{MAX_LIMIT}, default {DEFAULT_LIMIT})."},
        ),
        "cursor": fields.String(
            validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH),
            metadata={"description": "Opaque cursor from `links.next` of the previous page of this same query."},
        ),
    }


AS_OF_DESCRIPTION = (
    "The world as it stood on this day (YYYY-MM-DD): records known to start later are left out; the rest are served"
    " as they were then — dates after the day hidden, a policy's status, a person's roles and a model's price and availability of that"
    " day — and filters, sorts and facets apply to that state. Records of unknown dates stay in. Example: `2025-01-31`."
)


def as_of_field(description: str = AS_OF_DESCRIPTION, **kwargs: Any) -> DateBound:
    return DateBound(
        metadata={"pattern": AS_OF_PATTERN, "description": description},
        validate=validate.Regexp(AS_OF_PATTERN, error="must be a full date YYYY-MM-DD"),
        **kwargs,
    )


@cache
def list_args_schema(collection_name: str, with_format: bool = True, fixed: tuple[str, ...] = ()) -> Schema:
    """The query-string schema of ``GET /v1/<collection>`` (one instance, reused by every request).

    ``with_format=False`` for the text operations (``/v1/<collection>.csv``), whose path names the format; ``fixed``
    names columns the path already fixes (a record's history fixes ``record_id``), which get no filters.
    """
    collection = RECORD_TABLES[collection_name]
    attrs: dict[str, Any] = {**page_fields(), **view_fields(collection)}
    attrs["sort"] = sort_field(collection)
    attrs["q"] = text(
        MAX_Q,
        metadata={
            "description": (
                "Full-text search over names and descriptions; every word must match (word forms too: `price` finds `pricing`),"
                " the last also as a prefix."
            )
        },
    )
    if with_format:
        attrs["format"] = fields.String(
            metadata={
                "enum": list(FORMATS),
                "enum_name": "Format",
                "deprecated": True,
                "description": (
                    "Deprecated: use the list's `.csv` or `.ndjson` operation (`/v1/models.csv`), or `Accept`."
                    " Answers as `json` (default), `ndjson` or `csv`; overrides `Accept`; anything else is a 406."
                ),
            },
        )
    attrs["export"] = fields.Boolean(
        truthy={"true", "1"},
        falsy={"false", "0"},
        metadata={"description": "Stream every matching record (no page limit) in the chosen format; `limit` is ignored."},
    )
    attrs["facet"] = ListParam(
        fields.String(validate=OneOfSuggesting(facetable(collection))),
        validate=validate.Length(max=10),
        metadata={
            "description": "Count the values of these fields over all matching records (repeat it, or separate by commas). Dates count by year."
        },
    )
    for param, (name, op) in filter_params(collection).items():
        if name in fixed:
            continue
        # A dotted attribute name would make marshmallow nest the value; the parameter keeps its dot as data_key.
        attrs[param.replace(RELATION_SEPARATOR, ":") + ("_" if param in ("from", "to") else "")] = _filter_field(collection, name, op, data_key=param)
    schema_name = collection.schema_cls.__name__.removesuffix("Schema") + "ListArgs" + "".join(f"Without_{name}" for name in fixed)
    return type(schema_name, (ArgsSchema,), attrs)()


def view_fields(collection: Collection) -> dict[str, fields.Field]:
    """``fields``, ``expand`` and ``as_of``: shared by list and item endpoints."""
    attrs: dict[str, fields.Field] = {
        "fields": NameList(response_fields(collection), "Only these fields (the id is always included).", example="id," + collection.label_field),
        "as_of": as_of_field(),
    }
    names = expandable(collection)
    if names:
        attrs["expand"] = NameList(names, "Replace these relations' ids by the records, one level deep.", example=names[0])
    return attrs


@cache
def item_args_schema(collection_name: str) -> Schema:
    """The query-string schema of ``GET /v1/<collection>/{id}`` (one instance, reused by every request)."""
    collection = RECORD_TABLES[collection_name]
    return type(collection.schema_cls.__name__.removesuffix("Schema") + "ItemArgs", (ArgsSchema,), view_fields(collection))()


def filters_from_args(collection: Collection, args: dict[str, Any]) -> list[Filter]:
    """The Filter objects named by parsed arguments (in a stable order)."""
    params = filter_params(collection)
    return [Filter(*params[key], args[key]) for key in sorted(args) if key in params]

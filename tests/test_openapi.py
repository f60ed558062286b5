"""The OpenAPI document is valid 3.1, documents every route, and the app conforms to it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

import schemathesis_hooks  # noqa: F401 - registers the hook that drops generated cursors
from api.config import PROJECT_ROOT
from conftest import documented_parameters, session_app

# Routes that are files, not API operations.
UNDOCUMENTED = {"/docs/assets/<path:filename>", "/docs/init.js", "/docs", "/openapi.json", "/static/<path:filename>"}


def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_spec_is_valid_openapi_31(client: FlaskClient) -> None:
    document = spec(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_is_documented(app: Flask, client: FlaskClient) -> None:
    documented = set(spec(client)["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule in UNDOCUMENTED:
            continue
        path = rule.rule.replace("<string:", "{").replace("<", "{").replace(">", "}")
        assert path in documented, rule.rule


def test_every_operation_has_summary_and_described_typed_parameters(client: FlaskClient) -> None:
    document = spec(client)
    for path, item in document["paths"].items():
        operation = item["get"]
        assert operation.get("summary"), path
        assert "200" in operation["responses"] or path == "/", path
        for param in documented_parameters(document, path).values():
            assert param.get("description"), (path, param["name"])
            assert param.get("schema", {}).get("type"), (path, param["name"])
        for code, response in operation["responses"].items():
            if code.startswith("4") and "content" in response:
                assert list(response["content"]) == ["application/problem+json"], (path, code)


def test_list_filters_are_typed_enums_and_formats(client: FlaskClient) -> None:
    params = documented_parameters(spec(client), "/v1/models")
    assert "reasoning" in params["category"]["schema"]["enum"]
    assert params["parameters_total__gte"]["schema"]["type"] == "integer"
    assert params["open_weights"]["schema"]["type"] == "boolean"
    assert params["release_date__lt"]["schema"]["pattern"]
    assert params["limit"]["schema"]["maximum"] == 200


def test_related_lists_share_their_collections_parameters(client: FlaskClient) -> None:
    """Each parameter is defined once; a related list refers to its collection's definitions."""
    document = spec(client)
    related = document["paths"]["/v1/companies/{record_id}/models"]["get"]["parameters"]
    assert any(p.get("$ref") == "#/components/parameters/models-sort" for p in related)
    assert documented_parameters(document, "/v1/companies/{record_id}/models")["sort"] == documented_parameters(document, "/v1/models")["sort"]


# Schemathesis' WSGI transport never closes a response, so the streamed facts.db handle is closed by the collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_app_conforms_to_its_openapi() -> None:
    """A few generated requests per operation, checked against the document (the schema is loaded here, at run
    time, not at collection; the wide phases and thousands of cases are the CI command-line run's, .ci/http-proofs)."""
    config = SchemathesisConfig.from_path(str(PROJECT_ROOT / "schemathesis.toml"))
    schema = schemathesis.openapi.from_wsgi("/openapi.json", session_app(), config=config)
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def conforms(case: schemathesis.Case) -> None:
            # The WSGI transport does not decode compressed bodies; test_http covers compression.
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        conforms()


def test_the_docs_page_prefills_no_filter_and_shows_real_examples(client: FlaskClient) -> None:
    """Swagger UI fills a parameter's example into "Try it out": only path ids (a real record) and required ones have one."""
    document = spec(client)
    for path in document["paths"]:
        for param in documented_parameters(document, path).values():
            has_example = "example" in param or "examples" in param or "example" in param.get("schema", {})
            assert has_example == ((param["in"] == "path" and param["name"] == "record_id") or bool(param.get("required"))), (path, param["name"])
    item = document["paths"]["/v1/models/{record_id}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert item["data"]["id"] == "deepseek-r1" and item["data"]["citations"]
    for name, response in document["components"]["responses"].items():
        if name.startswith("Error"):
            example = response["content"]["application/problem+json"]["example"]
            assert example["status"] == int(name.removeprefix("Error")), name


def test_every_prefilled_record_id_answers_with_data(client: FlaskClient) -> None:
    """Pressing "Try it out" on an item or related list, as filled in, shows records, not an empty page."""
    document = spec(client)
    for path in document["paths"]:
        record_id = documented_parameters(document, path).get("record_id")
        if "{record_id}" not in path:
            continue
        assert record_id is not None and record_id["in"] == "path", path  # no query parameter of the same name shadows it
        body = client.get(path.replace("{record_id}", record_id["example"])).get_json()
        if path == "/v1/sources/{record_id}/history":  # a source never changes: its history is empty by design
            assert body["data"] == [], path
        else:
            assert body["data"], path


def test_each_vocabulary_is_one_named_type(client: FlaskClient) -> None:
    """Generated clients make one class per enum: every closed vocabulary is a component, nullable ones anyOf it and null."""
    document = spec(client)
    enums = {name for name, schema in document["components"]["schemas"].items() if "enum" in schema}
    assert {"PolicyStatus", "ModelArchitecture", "Country", "DatePrecision", "SourceTier"} <= enums
    architecture = document["components"]["schemas"]["AIModel"]["properties"]["architecture"]
    assert architecture == {"anyOf": [{"$ref": "#/components/schemas/ModelArchitecture"}, {"type": "null"}]}
    assert "enum" not in json.dumps(document["components"]["schemas"]["AIModel"])


def test_operation_ids_name_what_a_generated_client_method_does(client: FlaskClient) -> None:
    document = spec(client)
    ids = [item["get"]["operationId"] for item in document["paths"].values()]
    assert len(ids) == len(set(ids))
    named = {path: item["get"]["operationId"] for path, item in document["paths"].items()}
    assert named["/v1/models"] == "listModels" and named["/v1/models/{record_id}"] == "getModel"
    assert named["/v1/companies/{record_id}/models"] == "listCompanyModels"
    assert named["/v1/people/{record_id}/history"] == "listPersonHistory"

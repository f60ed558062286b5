"""Layers one way: schema ← builder/queries ← routes ← app. The data layer loads no Flask; the schemas load nothing of api."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.config import PROJECT_ROOT


def modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["api.queries", "api.builder", "api.tables", "api.cursor", "api.formats", "api.database"])
def test_the_data_layer_loads_no_flask(module: str) -> None:
    loaded = modules_loaded_by(f"import {module}")
    assert not {m for m in loaded if m.split(".")[0] in ("flask", "flask_smorest", "webargs", "werkzeug")}, module


def test_the_schemas_load_nothing_of_the_api() -> None:
    loaded = modules_loaded_by("import schema, schema.responses, schema.timeline, schema.changes")
    assert not {m for m in loaded if m == "api" or m.startswith("api.")}


def test_the_builder_and_the_queries_do_not_import_each_other() -> None:
    assert not {m for m in modules_loaded_by("import api.queries") if m.startswith("api.builder")}
    assert not {m for m in modules_loaded_by("import api.builder") if m in ("api.queries", "api.routes", "api.app")}

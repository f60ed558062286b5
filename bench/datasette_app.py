"""Datasette as the benchmark's anchor: the same database file, immutable, facet suggestions off (its fair setting).

Run by gunicorn with uvicorn workers, so it has as many worker processes as aifacts:
``DATASETTE_DB=facts.db gunicorn -k uvicorn_worker.UvicornWorker -w 2 datasette_app:app``.
"""

import os

from datasette.app import Datasette

app = Datasette(
    immutables=[os.environ["DATASETTE_DB"]],
    settings={"suggest_facets": False, "default_page_size": 50, "max_returned_rows": 1000, "sql_time_limit_ms": 30000, "num_sql_threads": 3},
).app()

"""The ceiling of the side-by-side benchmark: a bare Flask app answering a fixed 1 KB JSON body."""

from flask import Flask, Response

BODY = ('{"data":{"id":"bare","payload":"' + "x" * 990 + '"}}').encode()
app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def fixed(path: str) -> Response:
    return Response(BODY, mimetype="application/json")

"""The versions aifacts states in one place: the software package and the API contract (the data's is in each build)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    PACKAGE_VERSION = version("aifacts")
except PackageNotFoundError:  # running from a checkout that was never installed
    PACKAGE_VERSION = "0+unknown"

# The contract of /v1: a minor version for additions, a major one (a new /v2) for anything that breaks clients.
API_VERSION = "1.2.0"

"""``python -m api.build [validate|build|info]``: the build steps of the ``aifacts`` command."""

import sys

from api.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["build"]))

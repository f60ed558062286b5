"""gunicorn's settings when started in this folder (`gunicorn wsgi:app`): the package's own, in api/gunicorn_conf.py."""

from api.gunicorn_conf import *  # noqa: F403 - gunicorn reads module-level names

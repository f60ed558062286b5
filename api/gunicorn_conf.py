"""Production defaults for gunicorn (`aifacts serve` uses them); every value can be overridden on the command line."""

import multiprocessing
import os

bind = os.environ.get("AIFACTS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("AIFACTS_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "api.gunicorn_worker.HeadWithBodySyncWorker"  # sync, each response head sent with its body
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 200000  # a worker restart costs about 2 s of CPU (imports, the API description): recycle rarely
max_requests_jitter = 20000
# Request limits: gunicorn answers past these itself (with its own plain responses).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket in the home folder.
control_socket_disable = True
accesslog = "-" if os.environ.get("AIFACTS_ACCESS_LOG", "1") != "0" else None
logger_class = "api.accesslog.JsonAccessLogger"  # JSON lines, valid whatever the request line holds
preload_app = False  # never open SQLite before fork

"""Exercise 2: gunicorn's settings (`gunicorn -c deploy/gunicorn.conf.py deploy.asgi:application`).
gunicorn manages the processes; each one runs uvicorn's event loop (an ASGI worker)."""

import os

# --8<-- [start:gunicorn]
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The uvicorn-worker package: `uvicorn.workers.UvicornWorker` is deprecated and will be removed.
worker_class = "uvicorn_worker.UvicornWorker"
# Trust X-Forwarded-For/-Proto only from nginx's address, never from anyone ("*" lets clients lie).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
graceful_timeout = 20  # SIGTERM: requests in flight get this long to finish before SIGKILL
timeout = 30
keepalive = 5
accesslog = "-"
control_socket_disable = True  # gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl: one per machine, not per server
# --8<-- [end:gunicorn]

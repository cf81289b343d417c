"""Exercise 2: gunicorn's settings (`gunicorn -c deploy/gunicorn.conf.py deploy.asgi:application`).
gunicorn manages the processes; each one runs uvicorn's event loop (an ASGI worker).

Right now it is the seed's `gunicorn -k uvicorn.workers.UvicornWorker`, written as a config file."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# --8<-- [start:seed]
# TODO: uvicorn.workers is deprecated (uvicorn warns at start-up): use the uvicorn-worker package's class.
worker_class = "uvicorn.workers.UvicornWorker"
# TODO: who may set X-Forwarded-For? Only the proxy in front of us (nginx, on 127.0.0.1), not anyone.
forwarded_allow_ips = "*"
# --8<-- [end:seed]
graceful_timeout = 20  # SIGTERM: requests in flight get this long to finish before SIGKILL
timeout = 30
keepalive = 5
accesslog = "-"
control_socket_disable = True  # gunicorn 25+ opens ~/.gunicorn/gunicorn.ctl: one per machine, not per server

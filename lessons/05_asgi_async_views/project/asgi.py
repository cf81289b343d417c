"""ASGI entry point: `python -m uvicorn project.asgi:application` (or daphne, or gunicorn with
`-k uvicorn_worker.UvicornWorker`)."""

# --8<-- [start:asgi]
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

application = get_asgi_application()
# --8<-- [end:asgi]

"""WSGI entry point, for comparison: `gunicorn project.wsgi:application -w 2` serves the same views,
one request per worker at a time."""

# --8<-- [start:wsgi]
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

application = get_wsgi_application()
# --8<-- [end:wsgi]

"""Start the lesson 10 mini-project: migrate the database, add demo users and rooms, serve with uvicorn.

    python serve.py --port 8000

Demo users alice and bob (password "awaitlings"); rooms lobby (public) and staff (private, alice only).
LESSON10_DB picks another SQLite file (the example tests use a temporary one)."""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")


def prepare() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    from chat.models import Room

    User = get_user_model()
    users = {}
    for name in ("alice", "bob"):
        user, created = User.objects.get_or_create(username=name)
        if created:
            user.set_password("awaitlings")
            user.save()
        users[name] = user
    Room.objects.get_or_create(slug="lobby", defaults={"is_public": True})
    staff, _ = Room.objects.get_or_create(slug="staff", defaults={"is_public": False})
    staff.members.add(users["alice"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    prepare()
    import uvicorn

    uvicorn.run("project.asgi:application", host=args.host, port=args.port, lifespan="off", log_level="info")


if __name__ == "__main__":
    main()

"""One web process of `awaitlings run 17` (and the bench): create the tables and the demo data (once, under
a file lock, because two servers start at the same moment), then serve with uvicorn."""

import argparse
import fcntl
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def prepare(extra_members: int = 0) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    with open(settings.SCRATCH / "setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other server waits here until the first has migrated
        call_command("migrate", verbosity=0, interactive=False)
        from teams.demo import ensure_demo_data

        ensure_demo_data(extra_members)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--members", type=int, default=0, help="extra ACME members for the bench")
    parser.add_argument("--prepare-only", action="store_true", help="create the tables and demo data, then exit")
    args = parser.parse_args()
    prepare(args.members)
    if args.prepare_only:
        raise SystemExit(0)
    import uvicorn

    uvicorn.run("config.asgi:application", host="127.0.0.1", port=args.port, log_level="info",
                ws_max_size=64 * 1024, timeout_graceful_shutdown=3)

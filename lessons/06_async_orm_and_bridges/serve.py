"""`awaitlings run 06`: migrate, seed the demo data, then serve the bookshelf with uvicorn.

    python serve.py [--port 8000]"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")


def main() -> None:
    port = sys.argv[sys.argv.index("--port") + 1] if "--port" in sys.argv else "8000"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo")
    os.execv(
        sys.executable,
        [sys.executable, "-m", "uvicorn", "project.asgi:application", "--host", "127.0.0.1", "--port", port],
    )


if __name__ == "__main__":
    main()

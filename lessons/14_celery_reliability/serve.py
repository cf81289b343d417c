"""The mini-project's web process (`awaitlings run 14`): create the database tables, then serve the shop
with uvicorn on :8000."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

if __name__ == "__main__":
    import django
    import uvicorn
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    uvicorn.run("config.asgi:application", host="127.0.0.1", port=8000)

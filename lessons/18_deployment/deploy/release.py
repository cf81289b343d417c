"""The release step (course-owned): run once per deploy, before the new servers start. Creates the tables
and the capstone's demo users. compose runs it as the one-shot `migrate` service; `awaitlings run 18` in
its prepare step.

    python -m deploy.release
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from teams.demo import ensure_demo_data

    ensure_demo_data(0)
    print("release: migrated, demo data in place", flush=True)

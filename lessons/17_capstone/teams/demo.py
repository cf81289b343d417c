"""Demo data for `awaitlings run 17`, the browser test and the bench: two organisations, three projects,
and people in them. Idempotent: running it again changes nothing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from .models import Organization, Project

PASSWORD = "awaitlings"
ORGS = {
    "acme": ("ACME Rockets", ["apollo", "gemini"], ["alice", "bob"]),
    "initech": ("Initech", ["tps"], ["mallory"]),
}


def ensure_demo_data(extra_members: int = 0) -> None:
    """Create the demo organisations, projects and users (password "awaitlings"); `extra_members` more
    ACME members named user000, user001, ... for the bench."""
    User = get_user_model()
    hashed = None  # hashed once: PBKDF2 takes ~0.3 s, and the bench creates a hundred members
    for slug, (name, projects, people) in ORGS.items():
        org, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
        for project in projects:
            Project.objects.get_or_create(slug=project, defaults={"name": project.title(), "organization": org})
        names = people + ([f"user{i:03d}" for i in range(extra_members)] if slug == "acme" else [])
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        for username in names:
            if username not in existing:
                hashed = hashed or make_password(PASSWORD)
                User.objects.create(username=username, first_name=username.title(), password=hashed)
        org.members.add(*User.objects.filter(username__in=names))

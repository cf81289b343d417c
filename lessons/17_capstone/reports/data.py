"""What goes into a report: one user's activity, read from the database (sync ORM: runs in a worker)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from chat.models import Message
from teams.models import Project


def collect(user_id: int) -> dict:
    user = get_user_model().objects.get(pk=user_id)
    projects = (Project.objects.filter(organization__members=user).select_related("organization")
                .annotate(total=Count("messages", distinct=True),
                          mine=Count("messages", filter=Q(messages__user=user), distinct=True),
                          flagged=Count("messages", filter=Q(messages__flagged=True), distinct=True))
                .order_by("organization__name", "name"))
    recent = Message.objects.filter(user=user).select_related("project").order_by("-id")[:10]
    return {
        "user": user.username,
        "name": user.get_full_name() or user.username,
        "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
        "projects": [{"org": p.organization.name, "project": p.name, "slug": p.slug, "total": p.total,
                      "mine": p.mine, "flagged": p.flagged} for p in projects],
        "recent": [{"project": m.project.slug, "at": timezone.localtime(m.created_at).strftime("%m-%d %H:%M"),
                    "body": m.body, "flagged": m.flagged} for m in recent],
    }

"""A PDF report a user asked for: queued by the 202 view, rendered by a worker on the `reports` queue."""

from django.conf import settings
from django.db import models


class Report(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(s, s) for s in (QUEUED, RUNNING, DONE, FAILED)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="reports/", blank=True)  # saved through the storage API
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=200, blank=True)  # the hostname of the worker that took it
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"report {self.pk} of {self.user_id} ({self.status})"

"""Organisations and their projects. A chat room is a project: its members are its organisation's."""

from django.conf import settings
from django.db import models


class Organization(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organizations", blank=True)

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    slug = models.SlugField(unique=True)  # the room in ws/chat/<slug>/: ASCII, so a valid group name
    name = models.CharField(max_length=100)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")

    def __str__(self) -> str:
        return self.name

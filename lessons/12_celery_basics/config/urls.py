from django.urls import path

from jobs import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/jobs/", views.start_job, name="start_job"),
    path("api/jobs/<str:task_id>/", views.job_status, name="job_status"),
]

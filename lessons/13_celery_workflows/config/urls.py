from django.urls import path

from web import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/reports/daily/", views.start_daily, name="start_daily"),
    path("api/reports/weekly/", views.start_weekly, name="start_weekly"),
    path("api/tasks/<str:task_id>/", views.task_status, name="task_status"),
    path("storage/<path:name>", views.stored, name="stored"),
]

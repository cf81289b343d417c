from django.urls import path

from reports import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/reports/", views.start_report, name="start_report"),
    path("api/reports/<str:task_id>/", views.report_status, name="report_status"),
]

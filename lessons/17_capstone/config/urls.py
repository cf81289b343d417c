from django.contrib.auth import views as auth_views
from django.urls import path

from reports import views as reports
from web import views as web

urlpatterns = [
    path("", web.index, name="index"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", web.healthz, name="healthz"),
    path("api/reports/", reports.create_report, name="create_report"),
    path("api/reports/<int:pk>/", reports.report_status, name="report_status"),
    path("reports/<int:pk>/download/", reports.download_report, name="report_download"),
]

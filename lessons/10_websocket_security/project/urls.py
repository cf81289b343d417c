from django.urls import path

from chat import views

urlpatterns = [
    path("", views.index),
    path("login/", views.login_view),
    path("logout/", views.logout_view),
    path("room/<slug:slug>/", views.room),
    path("api/ws-ticket/", views.ws_ticket),
]

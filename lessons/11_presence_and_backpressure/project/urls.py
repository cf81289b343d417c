from django.urls import path

from rooms import views

urlpatterns = [path("", views.room), path("room/<slug:slug>/", views.room)]

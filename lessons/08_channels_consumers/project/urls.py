from django.urls import path

from realtime import views

urlpatterns = [path("", views.index, name="index")]

from django.urls import path

from payments import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/orders/", views.place_orders, name="place_orders"),
    path("api/state/", views.state, name="state"),
    path("api/crash/", views.crash, name="crash"),
]

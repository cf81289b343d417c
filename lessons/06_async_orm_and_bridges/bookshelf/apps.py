from django.apps import AppConfig


class BookshelfConfig(AppConfig):
    name = "bookshelf"
    default_auto_field = "django.db.models.BigAutoField"

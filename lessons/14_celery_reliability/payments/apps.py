from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from . import deadletters  # noqa: F401 - connects the task_failure handler (the dead-letter store)

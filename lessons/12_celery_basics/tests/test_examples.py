"""The lesson's measured facts, on real workers: what a race, an instance argument and eager mode do."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_sending_inside_the_transaction_races_the_commit(worker, monkeypatch):
    # A slower billing call than the exercises use, so even a busy machine's worker wins the race.
    monkeypatch.setattr("accounts.workspace.BILLING_DELAY", 0.5)
    from accounts.mistakes import sign_up_racy
    from accounts.tasks import send_welcome_mail
    from django.contrib.auth import get_user_model

    user, result = sign_up_racy("racer", "racer@example.com", send_welcome_mail)
    result.get(timeout=5, propagate=False)
    assert result.failed(), f"expected the worker to miss the uncommitted user, got {result.state}"
    assert isinstance(result.result, get_user_model().DoesNotExist), result.result
    assert get_user_model().objects.filter(pk=user.pk).exists()  # ... which exists a moment later


def test_a_model_instance_cannot_travel_to_a_worker(worker):
    from django.contrib.auth import get_user_model
    from jobs.tasks import crunch
    from kombu.exceptions import EncodeError

    user = get_user_model().objects.create_user(username="instance", email="i@example.com")
    with pytest.raises(EncodeError, match="not JSON serializable"):
        crunch.delay(user)


# --8<-- [start:eager]
def test_eager_mode_passes_what_a_real_worker_fails(worker):
    from jobs.tasks import tags_of

    eager = tags_of.apply(args=["#async #django tea"])  # what CELERY_TASK_ALWAYS_EAGER does: run it here
    assert eager.successful() and eager.get() == {"#async", "#django"}
    real = tags_of.delay("#async #django tea")
    real.get(timeout=5, propagate=False)
    assert real.failed(), f"a set can't be stored as JSON: expected a failure, got {real.state}"
    assert "EncodeError" in type(real.result).__name__ or "serializ" in str(real.result).lower(), repr(real.result)
# --8<-- [end:eager]

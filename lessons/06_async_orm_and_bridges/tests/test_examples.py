"""The lesson's own examples, run by `awaitlings verify` and CI (never by a learner's check)."""

from awaitlings.testing import expect_migrations_match


def test_the_migrations_match_the_models():
    """The checks build their test database from the models (conftest: no migrations); the mini-project
    (serve.py) gets the migrations, so they must describe the same tables."""
    expect_migrations_match("project.settings", sqlite_env="BOOKSHELF_DB")

"""Exercise 1: settings from the environment, checked at start-up with one clear line."""

from __future__ import annotations

import pytest

from awaitlings.testing import ServerProcess, fail, load, need, wait_for_port


def _settings():
    return load("deploy.settings")


def _read(module, environ):
    """read_environment(environ): the dict, or the ConfigError it raised."""
    read = need(module, "read_environment")
    error_type = need(module, "ConfigError", "class")
    try:
        return read(dict(environ))
    except error_type as error:
        return error


def test_a_complete_environment_gives_typed_settings(production_env):
    module = _settings()
    env = {**production_env, "DEBUG": "False", "ALLOWED_HOSTS": "example.com, www.example.com",
           "CSRF_TRUSTED_ORIGINS": "https://example.com,https://www.example.com"}
    got = _read(module, env)
    if isinstance(got, Exception):
        fail(f"read_environment() raised {type(got).__name__}: {got} for an environment where every value is fine.")
    if got["DEBUG"] is not False:
        fail(f"DEBUG=False in the environment gave DEBUG = {got['DEBUG']!r}. Environment values are strings, and "
             "any non-empty string is truthy: a production server would run with DEBUG on.")
    if got["ALLOWED_HOSTS"] != ["example.com", "www.example.com"]:
        fail(f"ALLOWED_HOSTS='example.com, www.example.com' gave {got['ALLOWED_HOSTS']!r}: split on commas, strip spaces.")
    if got["CSRF_TRUSTED_ORIGINS"] != ["https://example.com", "https://www.example.com"]:
        fail(f"CSRF_TRUSTED_ORIGINS gave {got['CSRF_TRUSTED_ORIGINS']!r}.")
    if got["DATABASE"].get("NAME") != production_env["DATABASE_URL"].removeprefix("sqlite:///"):
        fail(f"DATABASE should come from DATABASE_URL ({production_env['DATABASE_URL']}), got {got['DATABASE']!r}.")
    if got["REDIS_URL"] != production_env["REDIS_URL"]:
        fail(f"REDIS_URL should be {production_env['REDIS_URL']!r}, got {got['REDIS_URL']!r}.")


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL"])
def test_a_missing_required_value_is_a_config_error_naming_it(production_env, name):
    module = _settings()
    env = {k: v for k, v in production_env.items() if k != name}
    got = _read(module, env)
    if not isinstance(got, Exception):
        fail(f"Without {name} in the environment, read_environment() returned settings "
             f"({name} -> {got.get(name, got.get('DATABASE'))!r}) instead of raising ConfigError. A default for a "
             "required value hides the mistake until production misbehaves.")
    if name not in str(got) or "\n" in str(got):
        fail(f"The ConfigError for a missing {name} should be one line naming it; it says: {str(got)!r}")


@pytest.mark.parametrize("name, value", [
    ("DEBUG", "maybe"),
    ("SECRET_KEY", "short"),
    ("CSRF_TRUSTED_ORIGINS", "example.com"),
    ("REDIS_URL", "127.0.0.1:6379"),
    ("DATABASE_URL", "postgress://app@db/app"),
])
def test_a_malformed_value_is_a_config_error_naming_it(production_env, name, value):
    module = _settings()
    got = _read(module, {**production_env, name: value})
    if not isinstance(got, Exception):
        fail(f"{name}={value!r} was accepted (read_environment returned settings). It should raise ConfigError "
             f"naming {name}: the process must not start with it.")
    if name not in str(got) or "\n" in str(got):
        fail(f"The ConfigError for {name}={value!r} should be one line naming {name}; it says: {str(got)!r}")


def test_a_server_started_without_a_secret_key_stops_with_one_line(app_env, capstone):
    env = {k: v for k, v in app_env.items() if k != "SECRET_KEY"}
    # A ServerProcess: under a warm check it is forked with Django and Twisted already imported (~0.3 s, not ~1 s).
    server = ServerProcess(["{python}", "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "deploy.asgi:application"],
                           cwd=capstone, env=env)
    server.env.pop("SECRET_KEY", None)  # not even from the test process's own environment
    port = server.port
    server.start()
    process = server.process
    try:
        # Whichever comes first: the process exits (the settings stopped it) or it listens (they didn't, and
        # it would serve forever). No waiting out a timeout for a server that started.
        wait_for_port(port, timeout=20, process=process)
        listening = True
    except RuntimeError:
        listening = False
    except TimeoutError:
        listening = None
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
    text = server.output()
    server.__exit__(None, None, None)  # its log file
    said = [line for line in text.splitlines() if line.strip()]
    if listening:
        fail(f"daphne started without SECRET_KEY and was listening on port {port}: a missing value must stop the "
             "process before it serves a single request.")
    if listening is None:
        fail("daphne, started without SECRET_KEY, neither stopped nor listened within 20 s. It printed:\n"
             + "\n".join(said[-8:]))
    if process.returncode == 0:
        fail("daphne started (and stopped cleanly) without SECRET_KEY: a missing value must stop the process.")
    if "Traceback" in text or len(said) != 1 or "SECRET_KEY" not in said[0]:
        shown = "\n".join(said[-8:])
        fail("Without SECRET_KEY, daphne should stop with one line naming SECRET_KEY (sys.exit with the message), "
             f"not a traceback. It printed {len(said)} lines, ending:\n{shown}")

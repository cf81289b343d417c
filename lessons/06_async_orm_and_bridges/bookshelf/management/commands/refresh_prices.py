"""`python manage.py refresh_prices`

Django finds a command by its module name, here `refresh_prices`; the command itself is exercise 4
and lives in ex04_command_bridge.py, next to the other exercises."""

from ex04_command_bridge import Command  # noqa: F401

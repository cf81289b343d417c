"""Lesson 18: how the capstone (lesson 17) runs in production.

The capstone's code is not touched: this package wraps it. `deploy.settings` imports the capstone's
settings and takes everything that differs between machines from the environment, `deploy.asgi` is the
application every web server loads, `deploy.celery` the app every worker and the beat load."""

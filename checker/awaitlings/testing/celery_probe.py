"""A one-task Celery app for `awaitlings doctor`: can a real worker start here and reach the broker?"""

import os

from celery import Celery

app = Celery("awaitlings_probe", broker=os.environ.get("REDIS_URL"), backend=os.environ.get("REDIS_URL"))
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])


@app.task(name="awaitlings.probe.ping")
def ping() -> str:
    return "pong"

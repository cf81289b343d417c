"""Which channel layer the chat uses, decided from the environment (settings.py calls this).

Without REDIS_URL: the in-memory layer, so the lesson runs with nothing else installed.
With REDIS_URL (e.g. redis://127.0.0.1:6379/0): the Redis layer, so several server processes
share groups and deliver each other's messages.
"""


def channel_layers(env) -> dict:
    # TODO: with REDIS_URL set, use channels_redis' RedisChannelLayer on that Redis.
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

"""Which channel layer the chat uses, decided from the environment (settings.py calls this).

Without REDIS_URL: the in-memory layer, so the lesson runs with nothing else installed.
With REDIS_URL (e.g. redis://127.0.0.1:6379/0): the Redis layer, so several server processes
share groups and deliver each other's messages.
"""


# --8<-- [start:layers]
def channel_layers(env) -> dict:
    redis_url = env.get("REDIS_URL")
    if not redis_url:
        # One process only: groups live in this process's memory. Fine for development and tests.
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A list: a bare string raises "You must pass a list of Redis hosts". redis-py 8 reads with
                # a 5 s socket timeout by default, exactly the layer's blocking wait for the next message:
                # an idle connection would die with "Timeout reading from ...", so give reads more room.
                "hosts": [{"address": redis_url, "socket_timeout": 30}],
                # Both are the defaults, written out because they decide what gets dropped:
                # at most 100 queued messages per channel, each kept at most 60 s.
                "capacity": 100,
                "expiry": 60,
                # Namespaces the keys, so two apps on one Redis never see each other's groups.
                "prefix": env.get("CHANNELS_PREFIX", "asgi"),
            },
        }
    }
# --8<-- [end:layers]

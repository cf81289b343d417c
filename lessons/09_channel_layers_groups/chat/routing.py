# --8<-- [start:routing]
from django.urls import re_path

from . import consumers

websocket_urlpatterns = [
    # Room names become group names, which allow only ASCII letters, digits, "-", "_" and "." (< 100).
    re_path(r"^ws/chat/(?P<room>[\w-]{1,50})/$", consumers.ChatConsumer.as_asgi()),
]
# --8<-- [end:routing]

"""The seed's JWT middleware, kept to show what goes wrong (tests/test_examples.py runs it).

The original called rest_framework_simplejwt's `JWTAuthentication().authenticate_credentials(token)`,
which looks the user up with the sync ORM; `User.objects.get` stands in for it here."""

from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser


# --8<-- [start:seed]
class JWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        # Mistake 1: a browser's `new WebSocket(url)` cannot set this header at all.
        token = headers.get(b"authorization", b"").decode()
        user = AnonymousUser()
        if token.startswith("Bearer "):
            try:
                # Mistake 2: a blocking ORM query inside `async def` raises SynchronousOnlyOperation...
                user = get_user_model().objects.get(pk=int(token.split(" ", 1)[1]))
            except Exception:
                # ...and mistake 3 hides it: every token now looks invalid, and nothing says why.
                pass
        scope["user"] = user
        return await super().__call__(scope, receive, send)
# --8<-- [end:seed]

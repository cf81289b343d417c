"""Exercise 2: who am I, from an async view.

    GET /ex02/me/   logged in: {"username": "...", "shelf": ["title", ...]}  (their books, title order)
                    anonymous: 401 {"error": "log in first"}"""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.http import JsonResponse


async def me(request):
    # This is how a popular blog post writes it. TODO: it reads `request.user` in async code, and
    # the shelf query is sync too. Fetch the user the async way and answer anonymous visitors with 401.
    user = await sync_to_async(User.objects.get)(pk=request.user.pk)
    shelf = [book.title for book in user.shelf.order_by("title")]
    return JsonResponse({"username": user.username, "shelf": shelf})

"""Exercise 2: who am I, from an async view.

    GET /ex02/me/   logged in: {"username": "...", "shelf": ["title", ...]}  (their books, title order)
                    anonymous: 401 {"error": "log in first"}"""

from django.http import JsonResponse

from bookshelf.models import Book


# --8<-- [start:me]
async def me(request):
    # request.user is lazy: its first use loads the session and the user with the sync ORM.
    # auser() runs those queries off the loop and returns the same user object.
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    titles = Book.objects.filter(owner=user).order_by("title").values_list("title", flat=True)
    return JsonResponse({"username": user.username, "shelf": [title async for title in titles]})
# --8<-- [end:me]

"""HTTP side of the mini-project: log in with a session, list rooms, fetch a WebSocket ticket."""

from django.contrib.auth import aauthenticate, alogin, alogout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .models import Room
from .tickets import issue_ticket


async def index(request):
    user = await request.auser()
    rooms = [room async for room in Room.objects.order_by("slug")]
    return render(request, "chat/index.html", {"me": user, "rooms": rooms})


async def login_view(request):
    error = ""
    if request.method == "POST":
        user = await aauthenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
        if user is not None:
            await alogin(request, user)
            return HttpResponseRedirect(request.GET.get("next") or "/")
        error = "Wrong username or password."
    return render(request, "chat/login.html", {"error": error})


async def logout_view(request):
    await alogout(request)
    return HttpResponseRedirect("/")


async def room(request, slug):
    user = await request.auser()
    return render(request, "chat/room.html", {"me": user, "slug": slug})


# --8<-- [start:ticket_view]
@require_POST  # with CsrfViewMiddleware: another site cannot make the visitor's browser mint a ticket
async def ws_ticket(request):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    return JsonResponse({"ticket": await issue_ticket(user)})
# --8<-- [end:ticket_view]

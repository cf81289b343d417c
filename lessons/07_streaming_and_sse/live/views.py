"""The course's own views: the live page and the feed's counters."""

from django.http import JsonResponse
from django.shortcuts import render

from live.feed import FEED


def index(request):
    return render(request, "live/index.html")


async def stats(request):
    # Open subscriptions right now: exercise 3 makes this drop when a client leaves.
    return JsonResponse(FEED.stats())

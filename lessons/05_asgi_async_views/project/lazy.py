"""Route to exercise views without importing them when the URLconf loads.

If ex02_no_blocking.py has a syntax error, only the /ex02/ URLs answer with an error page; the home
page and the other exercises keep working."""

import importlib
from inspect import iscoroutinefunction

from asgiref.sync import sync_to_async
from django.http import HttpResponseServerError


# --8<-- [start:lazy]
def exercise_view(dotted: str):
    """A view that imports `module.function` on each request and calls it."""
    module_name, _, function_name = dotted.rpartition(".")

    async def view(request, *args, **kwargs):
        try:
            target = getattr(importlib.import_module(module_name), function_name)
        except Exception as error:  # noqa: BLE001 - a broken exercise file must not take the site down
            return HttpResponseServerError(
                f"{module_name}.py could not be loaded: {type(error).__name__}: {error}\n",
                content_type="text/plain",
            )
        if iscoroutinefunction(target):
            return await target(request, *args, **kwargs)
        # What Django itself does with a sync view under ASGI: run it in a thread.
        return await sync_to_async(target, thread_sensitive=True)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = function_name
    return view
# --8<-- [end:lazy]

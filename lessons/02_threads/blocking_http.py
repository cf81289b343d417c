"""A blocking HTTP client (course-owned), standing in for any library without an async API.

`fetch(url)` sends a GET and returns the body. While it waits for the answer, the calling thread can
do nothing else: that is what "blocking" means. Other threads keep running, because a thread that
waits on a socket releases the GIL.
"""

from __future__ import annotations

import urllib.request


# --8<-- [start:fetch]
def fetch(url: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()
# --8<-- [end:fetch]

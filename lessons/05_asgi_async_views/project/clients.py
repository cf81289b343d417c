"""What the views share to call the upstream cheaply."""

import httpx

# --8<-- [start:tls]
# Each new httpx.Client or AsyncClient builds a TLS context, which reads the whole CA bundle: tens of
# milliseconds of CPU (bench.py measures it). Inside an async view that blocks the event loop, even
# for plain http:// URLs. Build the context once per process and hand it to every client.
TLS = httpx.create_ssl_context()
# --8<-- [end:tls]

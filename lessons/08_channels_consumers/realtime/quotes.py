"""QuoteConsumer at /ws/quotes/: looks up prices in a slow upstream service.

  client -> server  {"type": "quote", "symbol": "ACME", "id": 7}
  server -> client  {"type": "quote", "symbol": "ACME", "price": 123.45, "id": 7}

It answers correctly, but one client's lookup holds up every other client in the process.
"""

from channels.generic.websocket import JsonWebsocketConsumer

from . import upstream


# TODO: serve every client at once: while one waits for the upstream, others get their answers.
class QuoteConsumer(JsonWebsocketConsumer):
    def connect(self):
        self.accept()

    def receive_json(self, content, **kwargs):
        symbol = str(content.get("symbol", ""))
        price = upstream.fetch_quote_blocking(symbol)
        self.send_json({"type": "quote", "symbol": symbol, "price": price, "id": content.get("id")})

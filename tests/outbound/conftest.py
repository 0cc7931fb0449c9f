import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """A local HTTP endpoint recording what it is sent; `fail_next` answers 500 (with `error_body`) that many
    times; `redirect_to` answers 302 to it."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        self.redirect_to = ""
        self.error_body = b""  # of the 500 answers
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    failing = outer.fail_next > 0
                    outer.fail_next -= 1 if failing else 0
                    outer.requests.append({"headers": dict(self.headers), "body": body, "json": json.loads(body),
                                           "status": 500 if failing else 204})
                if outer.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", outer.redirect_to)
                    self.end_headers()
                elif failing:
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(outer.error_body)))
                    self.end_headers()
                    self.wfile.write(outer.error_body)
                else:
                    self.send_response(204)
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [r["json"].get("event") for r in self.requests if r["status"] == 204]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def subscription(tenant_a, receiver):
    from outbound.models import WebhookSubscription

    return WebhookSubscription.objects.create(organization=tenant_a.org, url=receiver.url,
                                              secret="s3cret-s3cret-s3cret")

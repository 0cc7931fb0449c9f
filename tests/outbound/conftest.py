import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

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


class ServiceNowInstance:
    """Imitates the two Table API calls of the write-back: GET /api/now/table/incident?sysparm_query=number=…
    and PATCH /api/now/table/incident/{sys_id} (Basic auth; 401 otherwise). `incidents`: number → fields."""

    USER, PASSWORD = "dispatch.integration", "pa55word!"

    def __init__(self):
        self.incidents: dict[str, dict] = {}
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                outer.requests.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                       "headers": dict(self.headers), "json": json.loads(body) if body else None})
                expected = "Basic " + base64.b64encode(f"{outer.USER}:{outer.PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self.answer(401, {"error": {"message": "User Not Authenticated"}, "status": "failure"})
                    return None
                return url

            def do_GET(self):  # noqa: N802
                url = self.record()
                if url is None:
                    return
                number = parse_qs(url.query)["sysparm_query"][0].removeprefix("number=")
                found = [{"sys_id": i["sys_id"], "state": i["state"]} for n, i in outer.incidents.items() if n == number]
                self.answer(200, {"result": found[:1]})

            def do_PATCH(self):  # noqa: N802
                url = self.record()
                if url is None:
                    return
                sys_id = url.path.rsplit("/", 1)[-1]
                incident = next((i for i in outer.incidents.values() if i["sys_id"] == sys_id), None)
                if incident is None:
                    self.answer(404, {"error": {"message": "No Record found"}, "status": "failure"})
                    return
                incident.update({k: v for k, v in outer.requests[-1]["json"].items() if k != "work_notes"})
                self.answer(200, {"result": incident})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_incident(self, number: str, state: str = "2") -> dict:
        incident = {"sys_id": f"{len(self.incidents) + 1:032x}", "number": number, "state": state}
        self.incidents[number] = incident
        return incident


@pytest.fixture
def servicenow():
    instance = ServiceNowInstance()
    yield instance
    instance.server.shutdown()

"""Travel models: haversine by default; OSRM against a local stub server speaking its /route API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dispatch_platform.dispatch.travel import HaversineTravel, OsrmTravel, haversine_km

CHICAGO, MILWAUKEE = (41.8781, -87.6298), (43.0389, -87.9065)


def test_haversine_matches_a_known_distance():
    assert haversine_km(CHICAGO, MILWAUKEE) == pytest.approx(131.1, abs=0.5)  # great circle, city halls
    model = HaversineTravel(road_factor=1.3, speed_kmh=60)
    assert model.minutes(CHICAGO, MILWAUKEE) == pytest.approx(model.km(CHICAGO, MILWAUKEE), rel=1e-9)


@pytest.fixture
def osrm_stub():
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            calls.append(self.path)
            if not self.path.startswith("/route/v1/driving/"):
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps({"code": "Ok", "routes": [{"distance": 148_200.0, "duration": 5_820.0}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", calls
    server.shutdown()


def test_osrm_gives_road_distance_and_time_and_caches_pairs(osrm_stub):
    url, calls = osrm_stub
    model = OsrmTravel(url)
    assert model.km(CHICAGO, MILWAUKEE) == pytest.approx(148.2)
    assert model.minutes(CHICAGO, MILWAUKEE) == pytest.approx(97.0)
    assert len(calls) == 1
    assert calls[0].startswith("/route/v1/driving/-87.629800,41.878100;-87.906500,43.038900")


def test_osrm_down_falls_back_to_haversine():
    model = OsrmTravel("http://127.0.0.1:9", timeout=0.5)  # nothing listens on the discard port
    assert model.km(CHICAGO, MILWAUKEE) == pytest.approx(HaversineTravel().km(CHICAGO, MILWAUKEE))


def test_recommendations_use_the_configured_provider(api, tenant_a, osrm_stub, settings):
    url, calls = osrm_stub
    settings.TRAVEL_PROVIDER, settings.OSRM_URL = "osrm", url
    body = {"source": "t", "external_id": "1", "title": "x", "priority": "P2", "site": tenant_a.site.pk}
    tid = api.post("/api/v1/tickets/", tenant_a, body).json()["id"]
    top = api.get(f"/api/v1/tickets/{tid}/recommendations/", tenant_a).json()[0]
    assert top["travel_km"] == pytest.approx(148.2)
    assert calls

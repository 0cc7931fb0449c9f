"""Travel between two points, behind one interface so a road-network provider can replace it."""

from __future__ import annotations

import json
import logging
import math
import urllib.request
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088

Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class TravelModel(Protocol):
    def km(self, a: Point, b: Point) -> float: ...

    def minutes(self, a: Point, b: Point) -> float: ...


@dataclass(frozen=True)
class HaversineTravel:
    """Great-circle distance × a road factor, at an average speed. The default; no network needed."""

    road_factor: float = 1.3
    speed_kmh: float = 50.0

    def km(self, a: Point, b: Point) -> float:
        return haversine_km(a, b) * self.road_factor

    def minutes(self, a: Point, b: Point) -> float:
        return self.km(a, b) / self.speed_kmh * 60.0


class OsrmTravel:
    """Road distances and times from an OSRM (or OSRM-compatible, e.g. Valhalla's OSRM API) server.

    One `/route` call per pair, cached for the life of the object; if the server cannot answer, the
    haversine model answers instead (a dispatcher needs a recommendation, not a stack trace).
    """

    def __init__(self, base_url: str, *, timeout: float = 3.0, fallback: HaversineTravel | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback or HaversineTravel()
        self._cache: dict[tuple[Point, Point], tuple[float, float]] = {}

    def _leg(self, a: Point, b: Point) -> tuple[float, float]:
        key = (a, b)
        if key not in self._cache:
            url = (f"{self.base_url}/route/v1/driving/{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}"
                   "?overview=false&alternatives=false&steps=false")
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                    body = json.load(response)
                route = body["routes"][0]
                self._cache[key] = (route["distance"] / 1000.0, route["duration"] / 60.0)
            except (OSError, ValueError, KeyError, IndexError) as exc:
                logger.warning("OSRM %s failed (%s); using haversine", url, exc)
                self._cache[key] = (self.fallback.km(a, b), self.fallback.minutes(a, b))
        return self._cache[key]

    def km(self, a: Point, b: Point) -> float:
        return 0.0 if a == b else self._leg(a, b)[0]

    def minutes(self, a: Point, b: Point) -> float:
        return 0.0 if a == b else self._leg(a, b)[1]


def default_travel() -> TravelModel:
    """The configured model: TRAVEL_PROVIDER = "haversine" (default) or "osrm" with OSRM_URL."""
    from django.conf import settings

    haversine = HaversineTravel(road_factor=settings.TRAVEL_ROAD_FACTOR, speed_kmh=settings.TRAVEL_SPEED_KMH)
    if settings.TRAVEL_PROVIDER == "osrm":
        return OsrmTravel(settings.OSRM_URL, fallback=haversine)
    return haversine

"""Travel between two points, behind one interface so a road-network provider can replace it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

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


def default_travel() -> TravelModel:
    from django.conf import settings

    return HaversineTravel(
        road_factor=getattr(settings, "TRAVEL_ROAD_FACTOR", 1.3), speed_kmh=getattr(settings, "TRAVEL_SPEED_KMH", 50.0)
    )

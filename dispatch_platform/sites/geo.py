"""Offline geography: US ZIP → coordinates, coordinates → IANA time zone."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import zipcodes
from timezonefinder import TimezoneFinder


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()  # loads its data once (~0.1 s)


def coordinates_for_zip(postal_code: str) -> tuple[float, float] | None:
    try:
        matches = zipcodes.matching(postal_code.strip()[:5])
    except (TypeError, ValueError):
        return None
    if not matches:
        return None
    return float(matches[0]["lat"]), float(matches[0]["long"])


def timezone_for(latitude: float, longitude: float) -> str | None:
    return _finder().timezone_at(lat=latitude, lng=longitude)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    if name not in _zones():
        return False
    ZoneInfo(name)
    return True

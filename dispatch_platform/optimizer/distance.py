"""Distances and travel times exactly as the contract defines them, in double precision.

euclidean: straight line on the given coordinates, unrounded. haversine: great-circle kilometres with an
earth radius of 6371.0088 km, coordinates [lat, lon] in degrees. Travel minutes = distance * road_factor /
speed; the reported distance is the metric distance itself (the road factor only stretches time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .problem import Coord, Problem

EARTH_RADIUS_KM = 6371.0088


def euclidean(a: Coord, b: Coord) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def haversine(a: Coord, b: Coord) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance(problem: Problem, a: Coord, b: Coord) -> float:
    return haversine(a, b) if problem.metric == "haversine" else euclidean(a, b)


def travel_minutes(problem: Problem, dist: float) -> float:
    return dist * problem.road_factor / problem.speed


def distance_matrix(problem: Problem, points: Sequence[Coord]) -> np.ndarray:
    """All-pairs distances (float64), vectorised because the models need O(n^2) of them."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    if problem.metric == "haversine":
        lat, lon = np.radians(p[:, 0]), np.radians(p[:, 1])
        dlat = lat[None, :] - lat[:, None]
        dlon = lon[None, :] - lon[:, None]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    diff = p[:, None, :] - p[None, :, :]
    return np.hypot(diff[..., 0], diff[..., 1])


def pair_distances(problem: Problem, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distances between every point of `a` (n, 2) and every point of `b` (m, 2): an (n, m) float64 array."""
    a = np.asarray(a, dtype=float).reshape(-1, 2)
    b = np.asarray(b, dtype=float).reshape(-1, 2)
    if problem.metric == "haversine":
        lat1, lon1 = np.radians(a[:, 0])[:, None], np.radians(a[:, 1])[:, None]
        lat2, lon2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return np.hypot(a[:, 0][:, None] - b[:, 0][None, :], a[:, 1][:, None] - b[:, 1][None, :])

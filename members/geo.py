"""Distances in the region, measured between municipality centres (remote work ignores distance)."""

from functools import lru_cache
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(radians, (lat1, lon1, lat2, lon2))
    a = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(a))


@lru_cache(maxsize=1)
def _centres() -> dict[int, tuple[float, float]]:
    from .models import Municipality

    return {
        pk: (float(lat), float(lon)) for pk, lat, lon in Municipality.objects.values_list("pk", "latitude", "longitude")
    }


def distances_from(municipality_id: int) -> dict[int, float]:
    """Kilometres from one municipality's centre to every municipality's centre, by id."""
    centres = _centres()
    origin = centres.get(municipality_id)
    if origin is None:
        return {}
    return {pk: round(haversine_km(*origin, *centre), 1) for pk, centre in centres.items()}


def forget_centres() -> None:
    """For tests and data loads that change municipalities."""
    _centres.cache_clear()

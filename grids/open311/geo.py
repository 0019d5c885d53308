"""Place an Open311 point in a grid: point-in-polygon over the GeoJSON boundaries of the current grids.

Pure Python (no GIS library): GeoJSON positions are [longitude, latitude]; a Polygon is an outer ring plus holes,
a MultiPolygon a list of Polygons. A district has at most a few thousand grids of a few hundred points each, so a
linear scan with a bounding-box test first answers in milliseconds.

Datum: Open311 sends WGS84. Boundaries must be drawn in the same datum (a map digitised on GCJ-02 tiles is
offset by a few hundred metres in China); this module does no datum conversion."""

import datetime
import math

from django.db.models import Q
from django.utils import timezone

from grids.models import Region, RegionLevel

GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)


# --- geometry (no ORM) -------------------------------------------------------------------------------

def _polygons(boundary) -> list:
    """The list of polygons (each a list of rings) in a GeoJSON Polygon or MultiPolygon, else []."""
    if not isinstance(boundary, dict):
        return []
    kind, coordinates = boundary.get("type"), boundary.get("coordinates")
    if not isinstance(coordinates, list):
        return []
    if kind == "Polygon":
        return [coordinates]
    if kind == "MultiPolygon":
        return coordinates
    return []


def point_in_ring(lon: float, lat: float, ring) -> bool:
    """Ray casting (even-odd rule). A point exactly on an edge may fall on either side."""
    inside = False
    count = len(ring)
    for i in range(count):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i - 1][0], ring[i - 1][1]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def ring_area(ring) -> float:
    """Planar area in square degrees (shoelace formula); only used to compare grids with each other."""
    total = 0.0
    for i in range(len(ring)):
        x1, y1 = ring[i - 1][0], ring[i - 1][1]
        x2, y2 = ring[i][0], ring[i][1]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def boundary_contains(boundary, lon: float, lat: float) -> bool:
    """True when the point is inside an outer ring and outside that polygon's holes. Malformed input is False."""
    try:
        for polygon in _polygons(boundary):
            if not polygon:
                continue
            outer, holes = polygon[0], polygon[1:]
            xs = [p[0] for p in outer]
            ys = [p[1] for p in outer]
            if not (min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys)):
                continue
            if point_in_ring(lon, lat, outer) and not any(point_in_ring(lon, lat, hole) for hole in holes):
                return True
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError):
        return False
    return False


def boundary_area(boundary) -> float:
    try:
        return sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in _polygons(boundary) if p)
    except (TypeError, ValueError, IndexError, KeyError):
        return math.inf


def valid_point(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


# --- grid lookup (ORM) -------------------------------------------------------------------------------

def _current(today: datetime.date) -> Q:
    """The current version of a grid: no end date (as the lifecycle's incident_report requires), already started."""
    return Q(valid_to__isnull=True) & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))


def _up_to_grid(region: Region) -> Region:
    """A micro-grid answers for its grid: cases are routed and counted per grid."""
    if region.level == RegionLevel.MICRO_GRID:
        parent = Region.objects.get_parent(region)
        if parent is not None and parent.level == RegionLevel.GRID:
            return parent
    return region


def grid_for_point(*, lat: float, lon: float, today: datetime.date | None = None) -> Region | None:
    """The current grid whose boundary contains the point; when several do (a dedicated grid such as a school
    inside a basic grid, or a micro-grid inside its grid), the smallest one, answered as its grid."""
    if not valid_point(lat, lon):
        return None
    today = today or timezone.localdate()
    candidates = (Region.objects.filter(level__in=GRID_LEVELS, boundary__isnull=False).filter(_current(today))
                  .only("id", "path", "depth", "numchild", "level", "code", "name", "boundary"))
    best, best_key = None, None
    for region in candidates.iterator(chunk_size=500):
        if boundary_contains(region.boundary, lon, lat):
            key = (boundary_area(region.boundary), region.code)
            if best_key is None or key < best_key:
                best, best_key = region, key
    return _up_to_grid(best) if best is not None else None


def grid_for_code(code: str, *, today: datetime.date | None = None) -> Region | None:
    """The current grid (or micro-grid, answered as its grid) with this 15- or 18-digit code."""
    code = (code or "").strip()
    if not code.isascii() or not code.isdigit():
        return None
    today = today or timezone.localdate()
    region = Region.objects.filter(level__in=GRID_LEVELS, code=code).filter(_current(today)).first()
    return _up_to_grid(region) if region is not None else None

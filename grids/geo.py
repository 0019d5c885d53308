"""GeoJSON boundary checks (no ORM)."""

from django.utils.translation import gettext as _


def _ring_ok(ring) -> bool:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        return False
    for point in ring:
        if not (isinstance(point, list | tuple) and len(point) >= 2):
            return False
        lon, lat = point[0], point[1]
        if not all(isinstance(v, int | float) for v in (lon, lat)):
            return False
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return False
    return True


def geojson_polygon_problem(value) -> str | None:
    """None when `value` is a GeoJSON Polygon or MultiPolygon with closed rings, else a message."""
    if not isinstance(value, dict):
        return _("The boundary must be a GeoJSON object. 边界须为GeoJSON对象。")
    kind, coords = value.get("type"), value.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        return _("The boundary must be a GeoJSON Polygon or MultiPolygon. 边界须为多边形。")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon or not all(_ring_ok(r) for r in polygon):
            return _("Each ring needs at least four [longitude, latitude] points and must be closed. "
                     "多边形的每个环至少四个点且首尾相同。")
    return None

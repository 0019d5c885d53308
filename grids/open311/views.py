"""Open311 GeoReport v2 endpoints (see grids/open311/__init__.py for the decisions).

Every view: no session, no CSRF (the one write authenticates with an api_key), the format from the URL suffix,
errors in the spec's format, a per-IP throttle. Views parse, call one selector or service, and serialize."""

import datetime
import logging
import re

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from governance.lib.request_context import client_ip
from grids.models import RequestType
from grids.open311 import selectors
from grids.open311.auth import client_for_key
from grids.open311.errors import BadRequest, Forbidden, NotFound, open311_exception_handler
from grids.open311.geo import grid_for_code, grid_for_point
from grids.open311.renderers import Open311JSONRenderer, Open311XMLRenderer, SuffixNegotiation
from grids.open311.serializers import (
    RequestCreatedSerializer,
    RequestCreateInput,
    RequestQueryInput,
    RequestSerializer,
    ServiceDefinitionSerializer,
    ServiceSerializer,
)

logger = logging.getLogger("grids.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"      # bump when this implementation's behaviour changes
MAX_WINDOW = datetime.timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_POST_BYTES = 64 * 1024            # every field at its limit fits in well under this; files are not accepted
DEFAULT_REQUEST_TYPE = RequestType.HELP
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OFFSET_SPACE = re.compile(r" (\d{2}:?\d{2})$")   # "+08:00" sent unencoded in a query string arrives as " 08:00"


class Open311Throttle(SimpleRateThrottle):
    """Per client IP (same rule as the audit log). GONGZHI_OPEN311_THROTTLE_RATE, default 300/min; "" disables."""

    scope = "open311"

    def get_rate(self):
        return getattr(settings, "GONGZHI_OPEN311_THROTTLE_RATE", "300/min") or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class Open311Api(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    content_negotiation_class = SuffixNegotiation
    throttle_classes = [Open311Throttle]
    metadata_class = None            # OPTIONS answers like any other unsupported method
    schema = None                    # GeoReport v2 is its own published spec, not part of /api/schema/
    xml_root = "service_requests"
    xml_item = "request"

    def get_exception_handler(self):
        return open311_exception_handler


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


def parse_w3c(value: str, *, name: str, end_of_day: bool = False) -> datetime.datetime:
    """A W3C/ISO 8601 date-time (with an offset; without one, local time) or a date (start or end of that day)."""
    value = _OFFSET_SPACE.sub(r"+\1", value.strip())
    try:
        if _DATE_ONLY.match(value):
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
        else:
            parsed = parse_datetime(value)
    except (ValueError, TypeError):
        parsed = None
    if parsed is None:
        raise BadRequest(_("%(name)s must be a W3C date-time such as 2026-01-01T00:00:00+08:00. "
                           "日期格式应为2026-01-01T00:00:00+08:00。") % {"name": name})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _positive_int(value: str, *, name: str, default: int) -> int:
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise BadRequest(_("%(name)s must be a whole number of at least 1. %(name)s须为正整数。") % {"name": name})
    return int(value)


class DiscoveryApi(Open311Api):
    xml_root = "discovery"

    def get(self, request, format=None):
        url = request.build_absolute_uri("./").rstrip("/")
        endpoint_type = getattr(settings, "GONGZHI_OPEN311_ENDPOINT_TYPE", "") or (
            "production" if getattr(settings, "IS_PRODUCTION", False) else "test")
        return Response({
            "changeset": CHANGESET,
            "contact": getattr(settings, "GONGZHI_OPEN311_CONTACT", "")
            or _("The platform operator's service desk. 请联系平台运营方。"),
            "key_service": getattr(settings, "GONGZHI_OPEN311_KEY_SERVICE", "")
            or _("API keys are issued by the platform operator on request. API密钥由平台运营方发放。"),
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": endpoint_type,
                "formats": ["text/xml", "application/json"],
            }],
        })


class ServiceListApi(Open311Api):
    xml_root, xml_item = "services", "service"

    def get(self, request, format=None):
        return Response(ServiceSerializer(selectors.service_list(), many=True).data)


class ServiceDefinitionApi(Open311Api):
    xml_root = "service_definition"

    def get(self, request, service_code, format=None):
        service = selectors.service_get(service_code)
        if service is None:
            raise NotFound(_("Unknown service_code %(code)s. 未知的服务编码。") % {"code": service_code[:64]})
        return Response(ServiceDefinitionSerializer(service).data)


class RequestsApi(Open311Api):
    """GET: the public list with the spec's filters. POST: create a request (api_key required)."""

    # The spec says form-encoded; multipart is accepted too (some clients always send it), but file parts are
    # ignored and the body is bounded before anything is parsed.
    parser_classes = [FormParser, MultiPartParser]

    def get(self, request, format=None):
        query = RequestQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        page = _positive_int(q.get("page", ""), name="page", default=1)
        page_size = min(_positive_int(q.get("page_size", ""), name="page_size", default=DEFAULT_PAGE_SIZE),
                        MAX_PAGE_SIZE)
        ids = _split(q.get("service_request_id", ""))
        if len(ids) > MAX_PAGE_SIZE:
            raise BadRequest(_("At most %(n)d service_request_id values at once. 一次最多查询%(n)d个编号。")
                             % {"n": MAX_PAGE_SIZE})
        if ids:   # the spec: service_request_id overrides every other filter
            incidents = list(selectors.request_list(ids=ids)[:MAX_PAGE_SIZE])
            return Response(RequestSerializer(incidents, many=True).data)

        statuses = _split(q.get("status", "").lower())
        if set(statuses) - {"open", "closed"}:
            raise BadRequest(_("status must be open, closed or both (comma-separated). status只能为open或closed。"))
        start, end = self._window(q)
        offset = (page - 1) * page_size
        rows = list(selectors.request_list(service_codes=_split(q.get("service_code", "")), statuses=statuses,
                                           start=start, end=end)[offset: offset + page_size + 1])
        headers = {}
        if len(rows) > page_size:
            rows = rows[:page_size]
            params = request.query_params.copy()
            params["page"], params["page_size"] = str(page + 1), str(page_size)
            headers["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
        return Response(RequestSerializer(rows, many=True).data, headers=headers)

    @staticmethod
    def _window(q) -> tuple[datetime.datetime, datetime.datetime]:
        start = parse_w3c(q["start_date"], name="start_date") if q.get("start_date") else None
        end = parse_w3c(q["end_date"], name="end_date", end_of_day=True) if q.get("end_date") else None
        if start and end:
            if end < start:
                raise BadRequest(_("end_date is before start_date. 结束日期早于开始日期。"))
            if end - start > MAX_WINDOW:
                raise BadRequest(_("The date range may not span more than 90 days. 查询时间跨度不能超过90天。"))
        elif start:
            end = start + MAX_WINDOW
        elif end:
            start = end - MAX_WINDOW
        else:
            end = timezone.now()
            start = end - MAX_WINDOW
        return start, end

    def post(self, request, format=None):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_POST_BYTES:
            raise BadRequest(_("The request body is too large (at most %(n)d KB). 请求内容过大。")
                             % {"n": MAX_POST_BYTES // 1024})
        client = client_for_key(request.data.get("api_key") or request.query_params.get("api_key"))
        if client is None:
            raise Forbidden(_("Invalid or missing api_key: cannot create the request. API密钥无效或缺失。"))
        data = RequestCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data

        missing = []
        if not d.get("service_code"):
            missing.append(_("service_code is required. 请提供服务编码。"))
        if not (d.get("lat") or d.get("address_string") or d.get("address_id")):
            missing.append(_("A location is required: lat and long, address_string or address_id. "
                             "请提供位置：经纬度、地址或网格编码。"))
        if missing:
            raise _many(missing)

        service = selectors.service_get(d["service_code"])
        if service is None:
            raise NotFound(_("Unknown service_code %(code)s. 未知的服务编码。") % {"code": d["service_code"]})
        grid = self._grid(d)
        request_type = self._request_type(request.data)

        incident = self._submit(client=client, service=service, grid=grid, request_type=request_type, d=d)
        logger.info("Open311 request %s created by %s", incident.tracking_code, client)
        return Response(RequestCreatedSerializer([(incident, d.get("account_id", ""))], many=True).data)

    @staticmethod
    def _submit(*, client, service, grid, request_type, d):
        from grids.open311.services import open311_request_submit

        return open311_request_submit(
            client=client, category=service.category, grid=grid, request_type=request_type,
            description=d.get("description", ""), address=d.get("address_string", ""),
            latitude=d.get("lat_value"), longitude=d.get("long_value"),
            first_name=d.get("first_name", ""), last_name=d.get("last_name", ""), phone=d.get("phone", ""),
            account_id=d.get("account_id", ""), media_url=d.get("media_url", ""))

    @staticmethod
    def _grid(d):
        grid = None
        if d.get("lat"):
            grid = grid_for_point(lat=d["lat_value"], lon=d["long_value"])
        if grid is None and d.get("address_id"):
            grid = grid_for_code(d["address_id"])
        if grid is not None:
            return grid
        if d.get("lat"):
            raise BadRequest(_("The point lat=%(lat)s long=%(long)s is outside every grid we serve"
                               "%(and_code)s. 该位置不在本平台任何网格内。") % {
                "lat": d["lat"], "long": d["long"],
                "and_code": _(", and address_id is not a current grid code") if d.get("address_id") else ""})
        if d.get("address_id"):
            raise BadRequest(_("address_id must be the code of a current grid (15 digits). "
                               "address_id须为现行网格的15位编码。"))
        raise BadRequest(_("An address alone cannot be placed in a grid: send lat and long (WGS84) or address_id "
                           "(the grid code) as well. 仅凭地址无法确定网格，请同时提供经纬度或网格编码。"))

    @staticmethod
    def _request_type(data) -> str:
        """attribute[request_type] from the service definition; other attribute codes are ignored."""
        value = ""
        for key in data:
            match = _ATTRIBUTE.match(key)
            if match and match.group(1) == "request_type":
                value = (data.get(key) or "").strip()
        if not value:
            return DEFAULT_REQUEST_TYPE
        if value not in RequestType.values:
            raise BadRequest(_("attribute[request_type] must be one of %(values)s. 诉求类型无效。") % {
                "values": ", ".join(RequestType.values)})
        return value


def _many(descriptions: list[str]) -> BadRequest:
    error = BadRequest(descriptions[0])
    error.errors = [{"code": 400, "description": text} for text in descriptions]
    return error


class RequestApi(Open311Api):
    def get(self, request, service_request_id, format=None):
        incident = selectors.request_get(service_request_id)
        if incident is None:
            raise NotFound(_("Unknown service_request_id. 未找到该诉求。"))
        return Response(RequestSerializer([incident], many=True).data)


class TokenApi(Open311Api):
    """Our services are `realtime` (the id comes back at once), so a token is the tracking code itself."""

    def get(self, request, token, format=None):
        if not selectors.request_exists(token):
            raise NotFound(_("Unknown token. 未找到该令牌。"))
        return Response([{"service_request_id": token, "token": token}])


class UnknownResourceApi(Open311Api):
    """Anything else under /open311/v2/ (an unknown resource or an unsupported format suffix): 404, in JSON when
    the path ends in .json and in XML (the spec's required format) otherwise."""

    xml_root, xml_item = "errors", "error"

    def get_format_suffix(self, **kwargs):
        return "json" if self.request.path.endswith(".json") else "xml"

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(_("No such Open311 resource or format (use .json or .xml). 无此资源或格式。"))

    get = post = put = patch = delete = head = options = _not_found

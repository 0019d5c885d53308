"""Open311 GeoReport v2 server at /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

Endpoints (each in .json and .xml):
    GET  discovery                       the discovery document
    GET  services                        active category leaves (service_code = Category.code)
    GET  services/{service_code}         the service definition
    POST requests                        create a request (form-encoded; api_key required)
    GET  requests                        public list; filters service_request_id, service_code, start_date,
                                         end_date, status; extension page/page_size (default 50, max 1000)
    GET  requests/{service_request_id}   one request, as a one-element list
    GET  tokens/{token}                  token -> service_request_id (token = the tracking code)

Decisions:
- Services are the active leaves of both category trees (事件, 部件) whose ancestors are all active; `group` is the
  top-level class (大类) name, `description` the path 大类 › 小类 › 细类, `type` realtime, `metadata` true: the
  definition offers one OPTIONAL singlevaluelist attribute `request_type` (咨询/求助/投诉/举报/建议/表扬/其他;
  default 求助 "help" when not sent) and, when the leaf has registering conditions (立案条件), a display-only
  (`variable` false) text attribute with them. Unknown attribute codes are ignored.
- Location -> grid: lat/long (WGS84) inside a current grid's GeoJSON boundary (the smallest when several contain
  it; a micro-grid answers as its grid), else address_id = a current grid code, else 400. An address_string alone
  is stored but cannot be placed (no geocoder): 400 explaining what to add.
- service_request_id = the incident's tracking code; POST answers 200 with [{service_request_id, service_notice,
  account_id}]. Tokens are never needed (realtime), but GET tokens/{code} answers for clients that ask.
- Status: closed = closed, rated, rejected, merged; everything else is open. status_notes = our detailed status
  label plus the public answer, the rejection reason or the case it was merged into.
- Privacy: no GET ever returns the reporter's name, phone or e-mail; free text has phone and ID numbers and the
  reporter's own name masked; a 举报 (tip-off) request keeps its description, address and point confidential.
  media_url is stored as text on a staff-only note and never fetched; email and device_id are not stored.
- API keys: settings GONGZHI_OPEN311_KEYS {key: client name} (environment-backed, see grids.open311.auth);
  no model. jurisdiction_id is accepted and ignored (one jurisdiction per deployment).
- Errors: the spec's [{code, description}] / <errors>; 400, 403 (api_key), 404 (unknown service, request,
  token, resource or format suffix), 429 when throttled (GONGZHI_OPEN311_THROTTLE_RATE, default 300/min per IP).
  Never a 500: unexpected failures are logged and answered 400 "general error".
"""

"""JSON and XML renderers for GeoReport v2, and the content negotiation that picks one by the URL's suffix.

XML follows the spec's element names: a list answers <{root}><{item}>…</{item}></{root}> (e.g. <services>
<service>, <service_requests><request>, <errors><error>), nested lists use the singular of their key
(<attributes><attribute>, <values><value>, <endpoints><endpoint>, <formats><format>). Booleans are "true"/"false",
a missing value is an empty element. JSON is the "Spark convention" mapping of the same data: lists at the root.
Content types: `text/xml; charset=utf-8` and `application/json; charset=utf-8`."""

import io
import re

from django.utils.xmlutils import SimplerXMLGenerator
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

# Nested list key -> element name of each item.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return _XML_ILLEGAL.sub("\ufffd", str(value))


class Open311JSONRenderer(JSONRenderer):
    format = "json"
    media_type = "application/json"
    charset = "utf-8"


class Open311XMLRenderer(BaseRenderer):
    format = "xml"
    media_type = "text/xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response, view = renderer_context.get("response"), renderer_context.get("view")
        root = getattr(response, "xml_root", None) or getattr(view, "xml_root", None) or "response"
        item = getattr(response, "xml_item", None) or getattr(view, "xml_item", None) or LIST_ITEMS.get(root, "item")
        stream = io.StringIO()
        xml = SimplerXMLGenerator(stream, "utf-8", short_empty_elements=True)
        xml.startDocument()
        self._element(xml, root, data, item)
        xml.endDocument()
        return stream.getvalue().encode("utf-8")

    def _element(self, xml, name, value, item_name=None):
        xml.startElement(name, {})
        if isinstance(value, dict):
            for key, child in value.items():
                self._element(xml, key, child)
        elif isinstance(value, list | tuple):
            child_name = item_name or LIST_ITEMS.get(name, "item")
            for child in value:
                self._element(xml, child_name, child)
        else:
            text = xml_text(value)
            if text:
                xml.characters(text)
        xml.endElement(name)


class SuffixNegotiation(BaseContentNegotiation):
    """The format is the URL's suffix (.json or .xml), whatever the Accept header says; XML by default."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix if format_suffix in ("json", "xml") else "xml"
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        renderer = renderers[0]
        return renderer, renderer.media_type

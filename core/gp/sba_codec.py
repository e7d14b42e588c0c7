"""Reading and writing SBA bodies the way the public example shows (gp.md §22).

Request bodies are wrapped as `{"Payload": {...}}`; an answer is XML unless the URL ends in
`.json`, then JSON. The connector asks for `.json` on every resource route, but `/help` is read
at its documented address (XML), and an answer is read by its content type either way. XML
element names beyond the fields are not published: an element's children become a dict, a
repeated child a list, and `entries` reads a list the way either format gives it.
"""
from __future__ import annotations

import json
from typing import Any

from lxml import etree

JSON_SUFFIX = ".json"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def wrap(body: dict[str, Any]) -> bytes:
    return json.dumps({"Payload": body}).encode()


def parse(content: bytes, content_type: str) -> Any:
    """JSON or XML by content type (or by the first byte). Raises ValueError for neither."""
    kind = content_type.lower()
    if "json" in kind:
        return json.loads(content)
    if "xml" in kind or content.lstrip().startswith(b"<"):
        try:
            root = etree.fromstring(content, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"not well-formed XML: {exc}") from None
        value = _value(root)
        return value if isinstance(value, dict) else {}
    raise ValueError(f"neither JSON nor XML ({content_type or 'no content type'})")


def _value(element: Any) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        name = etree.QName(child).localname
        value = _value(child)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


def entries(value: Any) -> list[Any]:
    """A list as JSON gives it (`[...]`) or as XML does (a container of repeated entries, one
    entry being no list at all)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        return inner if isinstance(inner, list) else [inner]
    return [value]


def payload(data: Any) -> Any:
    return data.get("Payload", data) if isinstance(data, dict) else data


def error_message(content: bytes, content_type: str) -> str:
    """The message of an SBA error body (its shape is unknown: Error.Message, else the text)."""
    try:
        data = parse(content, content_type)
    except ValueError:
        return " ".join(content.decode("utf-8", "replace").split())[:300]
    err = data.get("Error", data) if isinstance(data, dict) else {}
    return str(err.get("Message", "")) if isinstance(err, dict) else ""

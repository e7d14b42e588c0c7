"""How the stand-in's SBA reads request bodies and writes answers (gp.md §22 "SBA in practice").

From the public example: request bodies are wrapped as `{"Payload": {...}}`, and an answer is
XML unless the URL ends in `.json`, then JSON. INFERRED (the example does not show them): the XML
element names (root `Root`, list entries named after their list: `Items` -> `Item`), booleans as
`true`/`false`, and the error body `{"Error": {"Code", "Message"}}` (`<Root><Error>` in XML).
"""
from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

JSON_SUFFIX = ".json"
XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
ROOT = "Root"  # INFERRED
_ENTRY = {"Routes": "Entry", "Addresses": "Address", "Evidence": "Fact", "Inferred": "Fact",
          "Unknown": "Fact", "Conventions": "Fact"}


class BodyRefused(ValueError):
    """A request body the server refuses before looking at the resource: HTTP 400."""


def wants_json(path: str) -> bool:
    return path.endswith(JSON_SUFFIX)


def strip_suffix(path: str) -> str:
    return path.removesuffix(JSON_SUFFIX)


def read_payload(body: bytes) -> dict[str, Any] | None:
    """The object inside `{"Payload": {...}}`; None for an empty body. Raises BodyRefused."""
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BodyRefused("The request body is not valid JSON.") from None
    if not isinstance(data, dict) or set(data) != {"Payload"} or not isinstance(
            data["Payload"], dict):
        raise BodyRefused('The request body must be wrapped as {"Payload": {...}}: one member '
                          '"Payload" holding the object.')
    return data["Payload"]


def entry_name(list_name: str) -> str:
    if list_name in _ENTRY:
        return _ENTRY[list_name]
    return list_name[:-1] if list_name.endswith("s") and len(list_name) > 1 else "Entry"


def encode(doc: dict[str, Any], as_json: bool, *, payload_entry: str = "Entry"
           ) -> tuple[bytes, str]:
    """(body, content type); `payload_entry` names the entries of a list Payload in XML."""
    if as_json:
        return json.dumps(doc, default=str).encode(), JSON_TYPE
    root = ET.Element(ROOT)
    for name, value in doc.items():
        _add(root, name, value, payload_entry if name == "Payload" else entry_name(name))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), XML_TYPE


def _add(parent: ET.Element, name: str, value: Any, entry: str) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _add(node, k, v, entry_name(k))
    elif isinstance(value, list):
        for v in value:
            _add(node, entry, v, "Entry")
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


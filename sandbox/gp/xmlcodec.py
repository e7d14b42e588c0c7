"""Validate and decode SOAP payloads against our schema model; encode responses in GP's order.

Validation is strict for what we model and tolerant of what we do not: an element the subset does
not list is skipped (GP's full schema may allow it), but a modelled element out of GP's order,
repeated, nil where GP forbids nil, of the wrong lexical form or outside an enumeration is refused,
as WCF's XmlSerializer refuses it. Missing required elements are accepted: GP's endpoint accepts
the omissions zeep's SkipValue produces (gp.md §6).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from sandbox.gp.schema import GUID_PATTERN, NS, Field, Schema

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_PREFIX_OF = {uri: prefix for prefix, uri in NS.items()}
_GUID_RE = re.compile(f"^{GUID_PATTERN}$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class SchemaViolation(Exception):
    """The request is not valid for GP's schema (WCF answers with a deserialization fault)."""


def _ns_of(type_name: str) -> str:
    return NS[type_name.split(":")[0]]


def _flat(schema: Schema, type_name: str) -> list[tuple[str, Field]]:
    """(element namespace, field) in wire order; an element is in its declaring type's ns."""
    ct = schema.complex[type_name]
    inherited = _flat(schema, ct.base) if ct.base else []
    return inherited + [(_ns_of(ct.name), f) for f in ct.own]


def _is_nil(el: etree._Element) -> bool:
    return el.get(f"{{{XSI}}}nil") in ("true", "1")


def _resolve_xsi_type(schema: Schema, el: etree._Element, declared: str) -> str:
    raw = el.get(f"{{{XSI}}}type")
    if raw is None:
        if schema.complex[declared].abstract:
            raise SchemaViolation(
                f"Element '{etree.QName(el).localname}' has abstract type {declared.split(':')[1]}"
                " and no xsi:type naming a concrete type.")
        return declared
    prefix, _, local = raw.rpartition(":")
    uri = el.nsmap.get(prefix or None)
    name = f"{_PREFIX_OF.get(uri or '', '?')}:{local}"
    if name in schema.complex:
        if not schema.derives_from(name, declared):
            raise SchemaViolation(f"xsi:type {local} does not derive from {declared.split(':')[1]}")
        return name
    # A GP type we do not model (e.g. AXCompanyKey): decode with what we know of the declared type.
    return declared


def decode_simple(type_name: str, text: str, where: str) -> Any:
    text = text.strip() if type_name != "xs:string" else text
    if type_name == "xs:string":
        return text
    if type_name == "xs:int":
        if not _INT_RE.match(text) or not -2**31 <= int(text) < 2**31:
            raise SchemaViolation(f"{where}: '{text}' is not a valid Int32 value.")
        return int(text)
    if type_name == "xs:short":
        if not _INT_RE.match(text) or not -2**15 <= int(text) < 2**15:
            raise SchemaViolation(f"{where}: '{text}' is not a valid Int16 value.")
        return int(text)
    if type_name == "xs:decimal":
        if not _DECIMAL_RE.match(text):
            raise SchemaViolation(f"{where}: '{text}' is not a valid Decimal value.")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise SchemaViolation(f"{where}: '{text}' is not a valid Decimal value.") from exc
    if type_name == "xs:boolean":
        if text not in ("true", "false", "1", "0"):
            raise SchemaViolation(f"{where}: '{text}' is not a valid Boolean value.")
        return text in ("true", "1")
    if type_name == "xs:dateTime":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise SchemaViolation(f"{where}: '{text}' is not a valid DateTime value.") from exc
    if type_name == "mst:guid":
        if not _GUID_RE.match(text):
            raise SchemaViolation(f"{where}: '{text}' is not a valid Guid value.")
        return str(uuid.UUID(text))
    raise AssertionError(f"unknown simple type {type_name}")


def decode(schema: Schema, el: etree._Element, type_name: str, where: str = "") -> Any:
    """Decode one element of `type_name` (nil already handled by the caller)."""
    where = where or etree.QName(el).localname
    if type_name in schema.enums:
        value = (el.text or "").strip()
        if value not in schema.enums[type_name]:
            raise SchemaViolation(f"{where}: instance validation error: '{value}' is not a valid "
                                  f"value for {type_name.split(':')[1]}.")
        return value
    if type_name not in schema.complex:
        return decode_simple(type_name, el.text or "", where)
    actual = _resolve_xsi_type(schema, el, type_name)
    out = decode_fields(schema, el, _flat(schema, actual), where)
    if actual != type_name:
        out["_type"] = actual
    return out


def decode_fields(schema: Schema, el: etree._Element, fields: list[tuple[str, Field]],
                  where: str) -> dict[str, Any]:
    """Decode the children of `el` against `fields` (element namespace, field) in wire order."""
    out: dict[str, Any] = {}
    position = 0
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        q = etree.QName(child)
        index = next((i for i, (_, f) in enumerate(fields) if f.name == q.localname), None)
        if index is None:
            continue  # not modelled: GP's full type may well allow it
        ns, f = fields[index]
        cwhere = f"{where}.{f.name}"
        if q.namespace != ns:
            raise SchemaViolation(f"{cwhere}: element is in namespace '{q.namespace}', "
                                  f"expected '{ns}'.")
        if index < position or (index == position and f.name in out and not f.many):
            raise SchemaViolation(f"{cwhere}: element is out of order or repeated.")
        position = index
        if _is_nil(child):
            if not f.nillable:
                raise SchemaViolation(f"{cwhere}: xsi:nil is not allowed on this element.")
            value = None
        else:
            value = decode(schema, child, f.type, cwhere)
        if f.many:
            out.setdefault(f.name, []).append(value)
        else:
            out[f.name] = value
    return out


# ---- encoding ---------------------------------------------------------------------------------

def _text(type_name: str, value: Any) -> str:
    if type_name == "xs:dateTime" and isinstance(value, str):
        value = datetime.fromisoformat(value)  # our JSON rows keep ISO strings
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # GP answers with the server's local time and no offset; ours is UTC.
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def encode(schema: Schema, parent: etree._Element, ns: str, f: Field, value: Any) -> None:
    """Append the element(s) for field `f` holding `value` under `parent`."""
    values = value if f.many else [value]
    if f.many and value is None:
        return
    for v in values:
        if v is None and f.min_occurs and not f.nillable:
            # A .NET value type is never null: XmlSerializer writes its default (false, 0,
            # DateTime.MinValue, the enum's first member), and a strict client requires it.
            v = _dotnet_default(schema, f.type)
        if v is None:
            if f.nillable and not f.many:
                etree.SubElement(parent, f"{{{ns}}}{f.name}", {f"{{{XSI}}}nil": "true"})
            continue
        el = etree.SubElement(parent, f"{{{ns}}}{f.name}")
        encode_value(schema, el, f.type, v)


def encode_value(schema: Schema, el: etree._Element, type_name: str, value: Any) -> None:
    if type_name not in schema.complex:
        el.text = _text(type_name, value)
        return
    if not isinstance(value, dict):
        raise TypeError(f"{type_name} needs a dict, got {type(value).__name__}")
    actual = value.get("_type", type_name)
    if actual != type_name:
        prefix, local = actual.split(":")
        el.set(f"{{{XSI}}}type", f"{prefix}:{local}")
    known = {f.name for _, f in _flat(schema, actual)}
    unknown = set(value) - known - {"_type"}
    if unknown:
        raise KeyError(f"{actual} has no field(s) {sorted(unknown)}")
    for ns, f in _flat(schema, actual):
        encode(schema, el, ns, f, value.get(f.name))


_DEFAULTS: dict[str, Any] = {"xs:boolean": False, "xs:int": 0, "xs:short": 0,
                             "xs:decimal": Decimal(0), "xs:dateTime": datetime(1, 1, 1),
                             "mst:guid": "00000000-0000-0000-0000-000000000000", "xs:string": ""}


def _dotnet_default(schema: Schema, type_name: str) -> Any:
    if type_name in schema.enums:
        return schema.enums[type_name][0]
    if type_name in schema.complex:
        return {}
    return _DEFAULTS[type_name]


def nsmap() -> dict[str | None, str]:
    return {"xsi": XSI, **{p: u for p, u in NS.items() if p != "xs"}}

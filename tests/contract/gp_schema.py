"""The real GP schema (from ../shared/gp/DynamicsGP.wsdl) as an lxml XMLSchema, for tests.

The WSDL's four inline schemas import each other by namespace only; they are written to a
temporary folder with schemaLocation attributes added, then compiled together. Nothing from
../shared is copied into the project: the files live under the test's tmp folder.
"""
from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def compile_schema(wsdl: Path, folder: Path) -> etree.XMLSchema:
    doc = etree.parse(str(wsdl), etree.XMLParser(huge_tree=True, resolve_entities=False))
    root = doc.getroot()
    schemas = root.findall(f".//{{{XS}}}schema")
    names = {s.get("targetNamespace"): f"s{i}.xsd" for i, s in enumerate(schemas)}
    folder.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate(schemas):
        # Prefixes used inside attribute values (type="tns:...") are declared on the WSDL root.
        nsmap = {k: v for k, v in {**root.nsmap, **s.nsmap}.items() if k}
        out = etree.Element(s.tag, attrib=dict(s.attrib), nsmap=nsmap)
        for child in s:
            out.append(copy.deepcopy(child))
        for imp in out.findall(f"{{{XS}}}import"):
            if imp.get("namespace") in names:
                imp.set("schemaLocation", names[imp.get("namespace")])
        (folder / f"s{i}.xsd").write_bytes(etree.tostring(out))
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{f}"/>'
                      for ns, f in names.items())
    (folder / "all.xsd").write_text(f'<xs:schema xmlns:xs="{XS}">{imports}</xs:schema>')
    return etree.XMLSchema(etree.parse(str(folder / "all.xsd")))


def body_payload(envelope: bytes | etree._Element) -> etree._Element:
    """The operation wrapper inside a SOAP envelope, as a standalone element."""
    root = etree.fromstring(envelope) if isinstance(envelope, bytes) else envelope
    body = root.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None and len(body) == 1, "a SOAP 1.1 envelope with one body element"
    return etree.fromstring(etree.tostring(body[0]))


def assert_valid(schema: etree.XMLSchema, envelope: bytes | etree._Element, label: str) -> str:
    """Validate the body payload; returns the operation name."""
    payload = body_payload(envelope)
    if not schema.validate(payload):
        errors = "\n".join(f"  line {e.line}: {e.message}" for e in schema.error_log)
        raise AssertionError(f"{label}: request is not valid for GP's schema:\n{errors}")
    return etree.QName(payload).localname

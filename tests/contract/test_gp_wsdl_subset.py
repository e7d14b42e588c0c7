"""The stand-in's WSDL is a faithful subset of GP's real legacy WSDL.

For every operation served: the operation exists in GP's WSDL with the same SOAPAction; its input
and output wrapper elements have exactly the same children (names, types, occurrence); every
complex type we model exists in GP's schema with the same namespace, base type and abstractness,
and each of its fields exists there at the same inheritance level with the same type and
occurrence, in the same relative order; every enumeration we model has GP's exact values.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sandbox.gp import schema
from tests.conftest import shared_path

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"


@dataclass
class Parsed:
    complex: dict[tuple[str, str], tuple[tuple[str, str] | None, bool, list[tuple]]]
    enums: dict[tuple[str, str], list[str]]
    wrappers: dict[str, list[tuple]]
    actions: dict[str, str]


def _qname(el: etree._Element, value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    prefix, _, local = value.rpartition(":")
    return (el.nsmap.get(prefix or None, ""), local)


def _fields(el: etree._Element) -> list[tuple]:
    out = []
    for e in el.iter(f"{{{XS}}}element"):
        out.append((e.get("name"), _qname(e, e.get("type")), e.get("minOccurs", "1"),
                    e.get("maxOccurs", "1"), e.get("nillable", "false")))
    return out


def parse_wsdl(path: Path) -> Parsed:
    doc = etree.parse(str(path), etree.XMLParser(huge_tree=True))
    parsed = Parsed({}, {}, {}, {})
    for sch in doc.iter(f"{{{XS}}}schema"):
        tns = sch.get("targetNamespace")
        for ct in sch.findall(f"{{{XS}}}complexType"):
            ext = ct.find(f".//{{{XS}}}extension")
            base = _qname(ext, ext.get("base")) if ext is not None else None
            parsed.complex[(tns, ct.get("name"))] = (base, ct.get("abstract") == "true",
                                                     _fields(ct))
        for st in sch.findall(f"{{{XS}}}simpleType"):
            parsed.enums[(tns, st.get("name"))] = [
                e.get("value") for e in st.iter(f"{{{XS}}}enumeration")]
        for el in sch.findall(f"{{{XS}}}element"):
            parsed.wrappers[el.get("name")] = _fields(el)
    for op in doc.iter(f"{{{SOAP}}}operation"):
        parsed.actions[op.getparent().get("name")] = op.get("soapAction")
    return parsed


def _mine(tmp_path: Path) -> Parsed:
    path = tmp_path / "mine.wsdl"
    path.write_text(schema.render_wsdl("http://127.0.0.1:1/DynamicsGPWebServices/x.asmx"))
    return parse_wsdl(path)


def _real() -> Parsed:
    return parse_wsdl(shared_path("gp", "DynamicsGP.wsdl"))


def test_every_operation_exists_with_the_same_action_and_wrappers(tmp_path):
    mine, real = _mine(tmp_path), _real()
    assert len(mine.actions) == len(schema.load().operations) >= 35
    for op, action in mine.actions.items():
        assert real.actions.get(op) == action, op
        for wrapper in (op, op + "Response"):
            assert mine.wrappers[wrapper] == real.wrappers[wrapper], wrapper


def test_every_modelled_type_is_a_subset_of_gps_type_in_order(tmp_path):
    mine, real = _mine(tmp_path), _real()
    assert len(mine.complex) > 150
    for key, (base, abstract, fields) in mine.complex.items():
        assert key in real.complex, f"{key} is not a GP type"
        real_base, real_abstract, real_fields = real.complex[key]
        assert (base, abstract) == (real_base, real_abstract), key
        positions = []
        for f in fields:
            same = [i for i, rf in enumerate(real_fields) if rf == f]
            assert same, f"{key[1]}.{f[0]} differs from GP's: {f} not in {real_fields}"
            positions.append(same[0])
        assert positions == sorted(positions), f"{key[1]}: fields out of GP's order"


def test_every_enumeration_has_gps_values(tmp_path):
    mine, real = _mine(tmp_path), _real()
    for key, values in mine.enums.items():
        assert values == real.enums[key], key


def test_zeep_loads_our_wsdl_and_sees_the_same_operations(tmp_path):
    import zeep

    path = tmp_path / "mine.wsdl"
    path.write_text(schema.render_wsdl("http://127.0.0.1:1/x"))
    client = zeep.Client(str(path))
    ops = set(client.service._binding._operations)
    assert ops == set(schema.load().operations)

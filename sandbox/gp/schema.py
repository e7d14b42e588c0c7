"""The stand-in's schema model: parsed from our compact notation, rendered as a WSDL.

One model serves three purposes: the WSDL served at `?wsdl`, validating and decoding incoming
requests (xmlcodec.py), and encoding responses in GP's element order.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from sandbox.gp.schema_currency import CURRENCY, CURRENCY_OPERATIONS
from sandbox.gp.schema_documents import DOCUMENTS
from sandbox.gp.schema_objects import OBJECTS, OPERATIONS
from sandbox.gp.schema_setup import SETUP, SETUP_OPERATIONS
from sandbox.gp.schema_types import TYPES

NS = {
    "gp": "http://schemas.microsoft.com/dynamics/gp/2006/01",
    "dyn": "http://schemas.microsoft.com/dynamics/2006/01",
    "sec": "http://schemas.microsoft.com/dynamics/security/2006/01",
    "mst": "http://microsoft.com/wsdl/types/",
    "xs": "http://www.w3.org/2001/XMLSchema",
}
GP_NS = NS["gp"]
GUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "prefix:Name"
    min_occurs: int
    many: bool  # maxOccurs="unbounded"
    nillable: bool

    @property
    def mark(self) -> str:
        if self.many:
            return "*"
        if self.min_occurs == 0:
            return "?"
        return "" if self.nillable else "!"


@dataclass
class ComplexType:
    name: str  # "prefix:Name"
    base: str | None
    abstract: bool
    own: list[Field] = field(default_factory=list)


@dataclass(frozen=True)
class Operation:
    name: str
    inputs: tuple[Field, ...]
    result: str | None  # type of <Name>Result, None for Create/Update/Void/Delete


@dataclass
class Schema:
    complex: dict[str, ComplexType]
    enums: dict[str, tuple[str, ...]]
    operations: dict[str, Operation]

    def fields(self, type_name: str) -> list[Field]:
        """All fields of a complex type, base types first (the order on the wire)."""
        return list(_flat_fields(self, type_name))

    def is_complex(self, type_name: str) -> bool:
        return type_name in self.complex

    def derives_from(self, type_name: str, base: str) -> bool:
        t: str | None = type_name
        while t is not None:
            if t == base:
                return True
            t = self.complex[t].base if t in self.complex else None
        return False


def _flat_fields(schema: Schema, type_name: str) -> tuple[Field, ...]:
    ct = schema.complex[type_name]
    inherited = _flat_fields(schema, ct.base) if ct.base else ()
    return inherited + tuple(ct.own)


_FIELD_RE = re.compile(r"^\s+(\w+)([?!*]?)\s+(\w+:\w+)\s*$")
_TYPE_RE = re.compile(r"^type\s+(\w+:\w+)(?:\s*:\s*(\w+:\w+))?(\s+abstract)?\s*$")
_ENUM_RE = re.compile(r"^enum\s+(\w+:\w+)\s*=\s*(.+)$")
_OP_RE = re.compile(r"^(\w+)\((.*)\)(?:\s*->\s*(\w+:\w+))?\s*$")


def _field(name: str, mark: str, type_name: str) -> Field:
    return Field(name=name, type=type_name, min_occurs=0 if mark in ("?", "*") else 1,
                 many=mark == "*", nillable=mark in ("", "*"))


def parse(types_text: str, ops_text: str) -> Schema:
    complex_types: dict[str, ComplexType] = {}
    enums: dict[str, tuple[str, ...]] = {}
    current: ComplexType | None = None
    for raw in types_text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if m := _TYPE_RE.match(raw):
            current = ComplexType(m.group(1), m.group(2), bool(m.group(3)))
            complex_types[current.name] = current
        elif m := _ENUM_RE.match(raw):
            enums[m.group(1)] = tuple(v.strip() for v in m.group(2).split("|"))
            current = None
        elif (m := _FIELD_RE.match(raw)) and current is not None:
            current.own.append(_field(m.group(1), m.group(2), m.group(3)))
        else:
            raise ValueError(f"schema notation: cannot read {raw!r}")
    operations: dict[str, Operation] = {}
    for raw in ops_text.splitlines():
        if not raw.strip():
            continue
        m = _OP_RE.match(raw.strip())
        if not m:
            raise ValueError(f"operation notation: cannot read {raw!r}")
        inputs = []
        for part in filter(None, (p.strip() for p in m.group(2).split(","))):
            pm = re.match(r"^(\w+)([?!]?)\s+(\w+:\w+)$", part)
            if not pm:
                raise ValueError(f"operation notation: cannot read {part!r}")
            inputs.append(_field(pm.group(1), pm.group(2), pm.group(3)))
        operations[m.group(1)] = Operation(m.group(1), tuple(inputs), m.group(3))
    return Schema(complex_types, enums, operations)


@functools.lru_cache(maxsize=1)
def load() -> Schema:
    schema = parse(TYPES + OBJECTS + DOCUMENTS + SETUP + CURRENCY,
                   OPERATIONS + SETUP_OPERATIONS + CURRENCY_OPERATIONS)
    _check_closed(schema)
    return schema


def _check_closed(schema: Schema) -> None:
    """Every referenced type must be declared: a typo here would otherwise surface as a bad WSDL."""
    builtin = {"xs:string", "xs:int", "xs:short", "xs:decimal", "xs:boolean", "xs:dateTime",
               "mst:guid"}
    known = set(schema.complex) | set(schema.enums) | builtin
    refs = [f.type for ct in schema.complex.values() for f in ct.own]
    refs += [ct.base for ct in schema.complex.values() if ct.base]
    refs += [f.type for op in schema.operations.values() for f in op.inputs]
    refs += [op.result for op in schema.operations.values() if op.result]
    missing = sorted(set(refs) - known)
    if missing:
        raise ValueError(f"schema subset references undeclared types: {missing}")


# ---- WSDL rendering ----------------------------------------------------------------------------

def _element_xml(f: Field, indent: str) -> str:
    attrs = f'minOccurs="{f.min_occurs}" maxOccurs="{"unbounded" if f.many else 1}" name="{f.name}"'
    if f.nillable:
        attrs += ' nillable="true"'
    return f'{indent}<xs:element {attrs} type="{f.type}"/>'


def _complex_xml(ct: ComplexType) -> list[str]:
    local = ct.name.split(":")[1]
    abstract = ' abstract="true"' if ct.abstract else ""
    out = [f'      <xs:complexType name="{local}"{abstract}>']
    seq = [_element_xml(f, "            " if ct.base else "        ") for f in ct.own]
    if ct.base:
        out.append('        <xs:complexContent mixed="false">')
        if seq:
            out.append(f'          <xs:extension base="{ct.base}">')
            out.append("            <xs:sequence>")
            out += ["  " + s for s in seq]
            out.append("            </xs:sequence>")
            out.append("          </xs:extension>")
        else:
            out.append(f'          <xs:extension base="{ct.base}"/>')
        out.append("        </xs:complexContent>")
    elif seq:
        out.append("        <xs:sequence>")
        out += seq
        out.append("        </xs:sequence>")
    out.append("      </xs:complexType>")
    if not ct.base and not seq:
        out = [f'      <xs:complexType name="{local}"{abstract}/>']
    return out


def _wrapper_xml(name: str, fields: list[Field]) -> list[str]:
    if not fields:
        return [f'      <xs:element name="{name}">', "        <xs:complexType/>",
                "      </xs:element>"]
    out = [f'      <xs:element name="{name}">', "        <xs:complexType>",
           "          <xs:sequence>"]
    out += [_element_xml(f, "            ") for f in fields]
    out += ["          </xs:sequence>", "        </xs:complexType>", "      </xs:element>"]
    return out


def render_wsdl(address: str) -> str:
    """Our WSDL: the served subset of GP's legacy contract, bound to `address`."""
    schema = load()
    xmlns = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<wsdl:definitions name="DynamicsGP" targetNamespace="' + GP_NS + '"',
             '    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
             ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
             ' xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"'
             f' xmlns:tns="{GP_NS}" {xmlns}>',
             "  <wsdl:types>"]
    for prefix in ("gp", "dyn", "sec", "mst"):
        imports = [f'      <xs:import namespace="{NS[p]}"/>'
                   for p in ("gp", "dyn", "sec", "mst") if p != prefix]
        lines.append('    <xs:schema elementFormDefault="qualified" '
                     f'targetNamespace="{NS[prefix]}">')
        lines += imports
        if prefix == "gp":
            for op in schema.operations.values():
                lines += _wrapper_xml(op.name, list(op.inputs))
                result = ([Field(op.name + "Result", op.result, 0, False, False)]
                          if op.result else [])
                lines += _wrapper_xml(op.name + "Response", result)
        if prefix == "mst":
            lines += ['      <xs:simpleType name="guid">',
                      '        <xs:restriction base="xs:string">',
                      f"          <xs:pattern value={quoteattr(GUID_PATTERN)}/>",
                      "        </xs:restriction>", "      </xs:simpleType>"]
        for ct in schema.complex.values():
            if ct.name.startswith(prefix + ":"):
                lines += _complex_xml(ct)
        for name, values in schema.enums.items():
            if name.startswith(prefix + ":"):
                lines.append(f'      <xs:simpleType name="{name.split(":")[1]}">')
                lines.append('        <xs:restriction base="xs:string">')
                lines += [f"          <xs:enumeration value={quoteattr(v)}/>" for v in values]
                lines += ["        </xs:restriction>", "      </xs:simpleType>"]
        lines.append("    </xs:schema>")
    lines.append("  </wsdl:types>")
    for name in schema.operations:
        for kind, suffix in (("InputMessage", ""), ("OutputMessage", "Response")):
            lines += [f'  <wsdl:message name="DynamicsGP_{name}_{kind}">',
                      f'    <wsdl:part name="parameters" element="tns:{name}{suffix}"/>',
                      "  </wsdl:message>"]
    lines.append('  <wsdl:portType name="DynamicsGP">')
    for name in schema.operations:
        lines += [f'    <wsdl:operation name="{name}">',
                  f'      <wsdl:input wsaw:Action="{GP_NS}/{name}"'
                  f' message="tns:DynamicsGP_{name}_InputMessage"/>',
                  f'      <wsdl:output wsaw:Action="{GP_NS}/{name}Response"'
                  f' message="tns:DynamicsGP_{name}_OutputMessage"/>',
                  "    </wsdl:operation>"]
    lines.append("  </wsdl:portType>")
    lines.append('  <wsdl:binding name="LegacyDynamicsGP" type="tns:DynamicsGP">')
    lines.append('    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>')
    for name in schema.operations:
        lines += [f'    <wsdl:operation name="{name}">',
                  f'      <soap:operation soapAction="{GP_NS}/{name}" style="document"/>',
                  '      <wsdl:input><soap:body use="literal"/></wsdl:input>',
                  '      <wsdl:output><soap:body use="literal"/></wsdl:output>',
                  "    </wsdl:operation>"]
    lines.append("  </wsdl:binding>")
    lines += ['  <wsdl:service name="DynamicsGP">',
              '    <wsdl:port name="LegacyDynamicsGP" binding="tns:LegacyDynamicsGP">',
              f"      <soap:address location={quoteattr(address)}/>",
              "    </wsdl:port>", "  </wsdl:service>", "</wsdl:definitions>", ""]
    return "\n".join(lines)

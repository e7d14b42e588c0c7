"""A faster way to write the request zeep would write, for the shapes our builders use.

zeep renders a request by first turning every keyword into a value object over the full schema
type, then walking every element the type declares (~145 a request, most of them empty) through
its general validation: a fifth of the connector's CPU per posted order (issue 16, profile in
README). Here each complex type is compiled once into a plan (its elements in schema order, with
their names, occurrences and types), and a request walks only that plan, rendering values with
zeep's own simple-type `xmlvalue` and handing typed objects (an `xsi:type`) to zeep's own
`render`, exactly as zeep does.

It plans complex types that are a plain sequence of elements (no attributes, choices, `any`,
defaults); an element of any other type is built by zeep alone (value object, then render, as
zeep builds every keyword). For any value zeep would refuse (a missing required element, an
unknown name, too many items) `NotPrepared` is raised and the caller lets zeep build the whole
message, so zeep's own errors and output stay the rule. tests/contract/test_soap_render.py proves
the two equal for every request the contract tests send, and validates both against the real WSDL.
"""
from __future__ import annotations

from typing import Any

from lxml import etree
from zeep.xsd import Nil
from zeep.xsd.elements import Element, Sequence
from zeep.xsd.types import ComplexType
from zeep.xsd.types.simple import AnySimpleType
from zeep.xsd.valueobjects import CompoundValue

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class NotPrepared(Exception):
    """This request (or type) is outside what the prepared path renders: zeep builds it."""


class _Field:
    __slots__ = ("name", "qname", "optional", "nillable", "multiple", "max_occurs", "min_occurs",
                 "element", "simple", "plan")

    def __init__(self, element: Element) -> None:
        self.element = element
        self.name = str(element.name)
        self.qname = element.qname
        self.optional = element.is_optional
        self.nillable = element.nillable
        self.multiple = element.accepts_multiple
        self.max_occurs = element.max_occurs
        self.min_occurs = element.min_occurs
        self.simple = element.type if isinstance(element.type, AnySimpleType) else None
        self.plan: _Plan | None = None


class _Plan:
    __slots__ = ("xsd_type", "fields", "names")

    def __init__(self, xsd_type: Any) -> None:
        self.xsd_type = xsd_type
        self.fields: list[_Field] = []
        self.names: frozenset[str] = frozenset()


class RequestRenderer:
    """Compiled plans per complex type, built on first use and kept for the client's life."""

    def __init__(self) -> None:
        self._plans: dict[int, _Plan] = {}

    def plan(self, xsd_type: Any) -> _Plan:
        found = self._plans.get(id(xsd_type))
        if found is not None:
            return found
        if not isinstance(xsd_type, ComplexType) or xsd_type.attributes:
            raise NotPrepared(f"type {xsd_type!r}")
        plan = _Plan(xsd_type)
        self._plans[id(xsd_type)] = plan  # before the children: recursive types
        try:
            for name, child in xsd_type.elements_nested:
                for element in _flat(name, child):
                    if element.default is not None:
                        raise NotPrepared(f"default on {element.name}")
                    field = _Field(element)
                    if field.simple is None:
                        try:
                            field.plan = self.plan(element.type)
                        except NotPrepared:
                            field.plan = None  # rendered by zeep (_item)
                    plan.fields.append(field)
        except NotPrepared:
            del self._plans[id(xsd_type)]
            raise
        plan.names = frozenset(str(f.name) for f in plan.fields)
        return plan

    def envelope(self, binding: Any, op: str, values: dict[str, Any]
                 ) -> tuple[Any, dict[str, str]]:
        """(envelope, HTTP headers) for `op`, as zeep's SOAP 1.1 binding builds them with our
        NoAddressing plugin (no SOAP header: GP's legacy endpoint takes no addressing)."""
        operation = binding.get(op)
        if operation is None:
            raise NotPrepared(f"no operation {op}")
        message = operation.input
        body_element = message.body
        if not isinstance(body_element, Element) or message._is_body_wrapped:
            raise NotPrepared(f"the message of {op}")
        soap_env = message.nsmap["soap-env"]
        nsmap = {"soap-env": soap_env, **message.wsdl.types._prefix_map_custom}
        envelope = etree.Element(etree.QName(soap_env, "Envelope"), nsmap=nsmap)
        body = etree.SubElement(envelope, etree.QName(soap_env, "Body"))
        node = etree.SubElement(body, body_element.qname)
        self._children(node, self.plan(body_element.type), values)
        action = operation.soapaction
        headers = {"SOAPAction": f'"{action}"' if action else '""',
                   "Content-Type": "text/xml; charset=utf-8"}
        return envelope, headers

    def _children(self, node: Any, plan: _Plan, value: Any) -> None:
        if isinstance(value, CompoundValue):
            value = value.__values__
        elif not isinstance(value, dict):
            raise NotPrepared("not a mapping")
        if not plan.names.issuperset(value):
            raise NotPrepared("an unknown name")
        for field in plan.fields:
            item = value.get(field.name)
            if field.multiple and isinstance(item, list):
                if len(item) < field.min_occurs or (
                        isinstance(field.max_occurs, int) and len(item) > field.max_occurs):
                    raise NotPrepared("occurrences")
                for one in item:
                    if one is None:
                        raise NotPrepared(f"an empty item in {field.name}")
                    self._item(node, field, one)
            else:
                self._item(node, field, item)

    def _item(self, parent: Any, field: _Field, value: Any) -> None:
        if value is None:
            if field.optional:
                return
            if not field.nillable:
                raise NotPrepared(f"missing {field.name}")  # zeep says which, in its words
            etree.SubElement(parent, field.qname).set(XSI_NIL, "true")
            return
        if value is Nil:
            etree.SubElement(parent, field.qname).set(XSI_NIL, "true")
            return
        if isinstance(value, (list, tuple)):
            raise NotPrepared(f"a list for {field.name}")
        if field.simple is None and field.plan is None:
            # A type outside the plans (a choice, say: TradeDiscount's percent or amount): zeep
            # builds this element alone, as it builds every keyword: value object, then render.
            element = field.element
            obj = element.type(**value) if isinstance(value, dict) else value
            element.render(parent, obj, [field.name])
            return
        node = etree.SubElement(parent, field.qname)
        xsd_type = getattr(value, "_xsd_type", None)
        if xsd_type is not None and xsd_type != field.element.type:
            # A typed object (xsi:type): zeep's own render, as zeep's _render_value_item does.
            xsd_type.render(node, value, xsd_type, [field.name])
            return
        if field.simple is not None:
            if isinstance(value, (dict, CompoundValue)):
                raise NotPrepared(f"a mapping for {field.name}")
            node.text = field.simple.xmlvalue(value)
            return
        assert field.plan is not None
        self._children(node, field.plan, value)


def _flat(name: str | None, child: Any) -> list[Element]:
    if isinstance(child, Element) and type(child) is Element:
        return [child]
    if isinstance(child, Sequence) and child.max_occurs == 1 and child.min_occurs == 1:
        out: list[Element] = []
        for inner_name, inner in child.elements_nested:
            out.extend(_flat(inner_name, inner))
        return out
    raise NotPrepared(f"{type(child).__name__} {name}")

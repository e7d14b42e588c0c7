"""The legacy endpoint's SOAP 1.1 layer: envelope, action, schema, roles, dispatch, faults.

Handlers live in ops_*.py, each module with its own table (sandbox.gp.operations), merged here
into HANDLERS. A handler gets the Call and the decoded
wrapper (a dict of the operation's parameters) and returns the value of <Op>Result (or None for
Create/Update/Void/Delete, whose response element is empty).
"""
from __future__ import annotations

import logging
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from sandbox.gp import (
    faults,
    ops_currency,
    ops_customers,
    ops_documents,
    ops_items,
    ops_reference,
    ops_rm,
    ops_setup,
    schema,
    xmlcodec,
)
from sandbox.gp.faults import DeserializationFault, SystemFault, ValidationFault
from sandbox.gp.ntlm import User
from sandbox.gp.operations import Handler, merged
from sandbox.gp.rules import Call
from sandbox.gp.state import WRITE_PREFIXES, GPState

log = logging.getLogger(__name__)
HANDLERS: dict[str, Handler] = merged(m.OPERATIONS for m in (
    ops_currency, ops_customers, ops_documents, ops_items, ops_reference, ops_rm, ops_setup))
NO_COMPANY_OPERATIONS = {"GetCompanyList", "GetCompanyByKey", "GetLoggedValidationResultByKey"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_blank_text=True)


@dataclass
class SoapResult:
    status: int
    body: bytes
    content_type: str = "text/xml; charset=utf-8"
    operation: str = ""
    committed: bool = False  # a write went through (for the "commit then drop" fault)


def is_write(op: str) -> bool:
    return op.startswith(WRITE_PREFIXES)


class SoapService:
    def __init__(self, state: GPState) -> None:
        self.state = state
        self.schema = schema.load()

    def handle(self, body: bytes, content_type: str, soap_action: str | None,
               user: User) -> SoapResult:
        if not content_type.lower().startswith("text/xml"):
            # WCF's words for a SOAP 1.2 or JSON body sent to a BasicHttpBinding endpoint.
            return SoapResult(415, (f"Cannot process the message because the content type "
                                    f"'{content_type}' was not the expected type "
                                    f"'text/xml; charset=utf-8'.").encode(), "text/plain")
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return SoapResult(400, b"", "text/plain")
        body_el = root.find(f"{{{faults.SOAP_ENV}}}Body")
        if etree.QName(root).namespace != faults.SOAP_ENV or body_el is None or not len(body_el):
            return SoapResult(400, b"", "text/plain")
        wrapper = body_el[0]
        q = etree.QName(wrapper)
        action = (soap_action or "").strip().strip('"')
        op = self.schema.operations.get(q.localname)
        if (op is None or q.namespace != schema.GP_NS or action != f"{schema.GP_NS}/{op.name}"
                or op.name not in HANDLERS):
            return SoapResult(500, faults.action_not_supported(action), operation=q.localname)
        return self._dispatch(op, wrapper, user)

    def _dispatch(self, op: schema.Operation, wrapper: etree._Element, user: User) -> SoapResult:
        name = op.name
        try:
            try:
                params = xmlcodec.decode_fields(
                    self.schema, wrapper, [(schema.GP_NS, f) for f in op.inputs], name)
            except xmlcodec.SchemaViolation as exc:
                first = str(exc).split(".")[1] if "." in str(exc) else name
                raise DeserializationFault(name, first.split(":")[0], str(exc)) from exc
            role = self.state.policy_role(user.roles, params.get("context"))
            call = Call(name, user, user.role, self.state, self.state.now(),
                        self.state.effective_policy(name, role, params.get("policy")), role)
            self._authorize(call, params)
            if is_write(name):
                with self.state.store.transaction():
                    result = HANDLERS[name](call, params)
            else:
                result = HANDLERS[name](call, params)
            return SoapResult(200, self._response(op, result), operation=name,
                              committed=is_write(name))
        except ValidationFault as exc:
            log_id = str(uuid.uuid4())
            self.state.store.log(log_id, "validation", self.state.now(), name, user.principal,
                                 {"errors": [e.as_gp() for e in exc.errors]})
            return SoapResult(500, faults.validation_fault(log_id), operation=name)
        except SystemFault as exc:
            self.state.store.log(str(uuid.uuid4()), "system", self.state.now(), name,
                                 user.principal, {"detail": exc.detail})
            return SoapResult(500, faults.system_fault(), operation=name)
        except DeserializationFault as exc:
            return SoapResult(500, faults.deserialization_fault(exc.text), operation=name)
        except Exception:  # an unhandled bug is what GP calls a system exception, too
            log.exception("GP stand-in: unhandled error in %s", name)
            self.state.store.log(str(uuid.uuid4()), "system", self.state.now(), name,
                                 user.principal, {"detail": traceback.format_exc(limit=5)})
            return SoapResult(500, faults.system_fault(), operation=name)

    def _authorize(self, call: Call, params: dict[str, Any]) -> None:
        if not self.state.allowed_any(call.user.roles, call.operation):
            # GP's answer to a caller without Dynamics Security rights is unpublished:
            # a system exception, logged with the reason, is the stand-in's choice.
            raise SystemFault(f"Access denied: {call.user.principal} (role {call.role}) may not "
                              f"call {call.operation}.")
        context = params.get("context")
        if context is None:
            raise SystemFault("Object reference not set to an instance of an object (context).")
        if call.operation not in NO_COMPANY_OPERATIONS:
            company = context.get("OrganizationKey") or {}
            if company.get("Id") != self.state.company_id:
                raise SystemFault(f"The company {company.get('Id')!r} does not exist or is not "
                                  "enabled for Web Services.")
        if is_write(call.operation) and params.get("policy") is None:
            raise SystemFault(f"A policy is required for {call.operation} "
                              "(GetPolicyByOperation).")

    def _response(self, op: schema.Operation, result: Any) -> bytes:
        nsmap = xmlcodec.nsmap()
        env = etree.Element(f"{{{faults.SOAP_ENV}}}Envelope", nsmap={"s": faults.SOAP_ENV, **nsmap})
        body = etree.SubElement(env, f"{{{faults.SOAP_ENV}}}Body")
        wrapper = etree.SubElement(body, f"{{{schema.GP_NS}}}{op.name}Response")
        if op.result is not None:
            field = schema.Field(op.name + "Result", op.result, 0, False, False)
            xmlcodec.encode(self.schema, wrapper, schema.GP_NS, field, result)
        return etree.tostring(env, xml_declaration=False, encoding="utf-8")

"""GP's error model: validation and system exceptions, and the SOAP 1.1 faults that carry them.

What is published: a validation fault's <detail> holds a node named `Message`
whose text is the log GUID for GetLoggedValidationResultByKey; a system fault has no such node and
the faultstring "The application encountered an unhandled system exception.  Contact your system
administrator for details." (two spaces). What is not published and therefore our choice: the
wrapper (WCF's ExceptionDetail, the likely one), the faultcodes, the validation faultstring.
Error texts follow eConnect's "Error Number = N  Stored Procedure= proc  Error Description = text"
line where GP's number and text are known; the rest is marked as the stand-in's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WCF_NS = "http://schemas.datacontract.org/2004/07/System.ServiceModel"
SYSTEM_FAULTSTRING = ("The application encountered an unhandled system exception.  "
                      "Contact your system administrator for details.")
# Stand-in wording (GP's is unpublished); connectors must key on the detail's Message GUID.
VALIDATION_FAULTSTRING = ("The application encountered a business object validation exception. "
                          "The validation result is logged under the id in the fault detail.")


@dataclass
class ValidationItem:
    message: str
    properties: list[str] = field(default_factory=list)
    object_type: str = ""
    code: str = ""  # the eConnect error number when there is one

    def as_gp(self) -> dict[str, object]:
        return {"ObjectType": self.object_type or None,
                "PropertyNames": {"string": self.properties} if self.properties else None,
                "Message": self.message, "Id": self.code or None}


def econnect(number: int, proc: str, text: str, properties: list[str] | None = None,
             object_type: str = "") -> ValidationItem:
    """An eConnect procedure error, worded as GP's exception log shows it."""
    return ValidationItem(f"Error Number = {number}  Stored Procedure= {proc}  "
                          f"Error Description = {text}", properties or [], object_type, str(number))


class GPFault(Exception):
    """Base of what an operation raises to answer with a SOAP fault."""


class ValidationFault(GPFault):
    def __init__(self, errors: list[ValidationItem]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class SystemFault(GPFault):
    """Logged with `detail`; the caller only ever sees the generic faultstring."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class DeserializationFault(GPFault):
    """What WCF answers when the message does not match the contract (no log entry)."""

    def __init__(self, operation: str, parameter: str, reason: str) -> None:
        super().__init__(reason)
        self.text = (f"The formatter threw an exception while trying to deserialize the message: "
                     f"There was an error while trying to deserialize parameter "
                     f"http://schemas.microsoft.com/dynamics/gp/2006/01:{parameter}. "
                     f"The InnerException message was '{reason}'. Please see InnerException "
                     f"for more details.")
        self.operation = operation


def _envelope(body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>{body}</s:Body></s:Envelope>').encode()


def fault_envelope(code: str, text: str, detail: str = "") -> bytes:
    detail_xml = f"<detail>{detail}</detail>" if detail else ""
    return _envelope(f"<s:Fault><faultcode>{escape(code)}</faultcode>"
                     f'<faultstring xml:lang="en-US">{escape(text)}</faultstring>'
                     f"{detail_xml}</s:Fault>")


def validation_fault(log_id: str) -> bytes:
    detail = (f'<ExceptionDetail xmlns="{WCF_NS}" '
              'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
              '<HelpLink i:nil="true"/><InnerException i:nil="true"/>'
              f"<Message>{log_id}</Message>"
              '<StackTrace i:nil="true"/><Type>Microsoft.Dynamics.Common.ValidationException</Type>'
              "</ExceptionDetail>")
    return fault_envelope("s:Client", VALIDATION_FAULTSTRING, detail)


def system_fault() -> bytes:
    return fault_envelope("s:Server", SYSTEM_FAULTSTRING)


def deserialization_fault(text: str) -> bytes:
    dispatcher = b"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
    return fault_envelope("a:DeserializationFailed", text).replace(
        b"<s:Fault>", b'<s:Fault xmlns:a="' + dispatcher + b'">', 1)


def action_not_supported(action: str) -> bytes:
    text = (f"The message with Action '{action}' cannot be processed at the receiver, due to a "
            "ContractFilter mismatch at the EndpointDispatcher. This may be because of either a "
            "contract mismatch (mismatched Actions between sender and receiver) or a "
            "binding/security mismatch between the sender and the receiver.  Check that sender "
            "and receiver have the same contract and the same binding (including security "
            "requirements, e.g. Message, Transport, None).")
    return fault_envelope("a:ActionNotSupported", text).replace(
        b"<s:Fault>",
        b'<s:Fault xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">', 1)

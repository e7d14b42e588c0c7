"""SOAP faults -> GPError, with GP's own words.

GP answers every refusal with a SOAP 1.1 fault (HTTP 500). Microsoft's rule (gp.md §20.1): a
fault whose `detail` holds a `Message` node with a GUID is a *validation* exception; that GUID is
the log id `GetLoggedValidationResultByKey` turns into GP's messages. No GUID: a *system*
exception ("The application encountered an unhandled system exception...").

Classification (gp.md §7):
- validation -> GPRefused: definite refusal, nothing was created; show GP's text.
- a refusal by Dynamics Security (the role may not run the operation) -> GPAuthError.
- system fault on a read -> transient (capped by the caller: a record holding characters that
  are invalid in XML fails every read the same way).
- system fault on a create/update -> unknown outcome: read GP back before anything else.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from core.errors import GPAuthError, GPError, GPRefused, GPTransient, GPUnknownOutcome
from core.gp.gateway import GPUnsupported

GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DESCRIPTION_RE = re.compile(r"Error Description\s*=\s*(.+?)\s*(?:\r|\n|$)")
_NUMBER_RE = re.compile(r"Error Number\s*=\s*(\d+)\b")
SYSTEM_FAULT_TEXT = "unhandled system exception"

# How a refusal by Dynamics Security reads (the live wording is unpublished, gp.md §21): these
# phrases mark a fault as "the role may not do this" rather than "the document is wrong".
_AUTH_PHRASES = ("not authorized", "not authorised", "not have authorization",
                 "does not have permission", "do not have permission", "access is denied",
                 "access denied", "not permitted", "unauthorizedaccess", "securityexception",
                 "security policy", "role does not allow", "no permission")


# GP's "document in use" is a validation exception [cc508742] (eConnect 2079/2022: "Document is
# currently being edited by another user"): an accountant has the document open. It passes.
_IN_USE_RE = re.compile(r"\bin use\b|being edited by another user|currently being edited|"
                        r"is locked|locked by another user|Error Number = (?:2079|2022)\b", re.I)
# A batch GP will not take documents into: being posted, marked for posting, posting
# interrupted, or open in GP (§22 "Batches"). The connector moves to the day's next batch.
_BATCH_BUSY_RE = re.compile(r"batch\b.*\b(?:being posted|marked for posting|posting "
                            r"interrupted|recover|in use|is locked|being edited|posted)", re.I)


class GPInUse(GPTransient):
    """A GP user has the document open ("in use"): transient, retried with backoff; nothing was
    changed, so a hold, release, void or credit is not done until GP confirms it."""


class GPBatchUnavailable(GPRefused):
    """GP will not add documents to this batch (being posted, posted, locked): the document
    goes to the day's next batch id. Nothing was created."""


def classify_refusal(message: str, messages: list[str], *, log_id: str | None) -> GPError:
    """A validation refusal, unless GP's words say it is a lock (transient) or a busy batch."""
    joined = " ".join(messages)
    if _BATCH_BUSY_RE.search(joined):
        return GPBatchUnavailable(message, messages=messages, log_id=log_id)
    if _IN_USE_RE.search(joined):
        return GPInUse(f"{message} (a GP user has it open: waiting on GP and retrying)",
                       messages=messages, log_id=log_id)
    return GPRefused(message, messages=messages, log_id=log_id)


def validation_log_id(detail: Any) -> str | None:
    """The log GUID of a validation fault: the `Message` node's text, else any GUID in detail."""
    if detail is None or not isinstance(detail, etree._Element):
        return None
    for el in detail.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "Message":
            m = GUID_RE.fullmatch((el.text or "").strip())
            if m:
                return m.group(0).lower()
    text = etree.tostring(detail, method="text", encoding="unicode") or ""
    m = GUID_RE.search(text)
    return m.group(0).lower() if m else None


def plain_message(message: str) -> str:
    """GP's message without eConnect's framing ("Error Number = 67  Stored Procedure= ...
    Error Description = Subtotal does not match ..." -> the description, with its number)."""
    desc = _DESCRIPTION_RE.search(message)
    if not desc:
        return " ".join(message.split())
    number = _NUMBER_RE.search(message)
    text = desc.group(1).strip()
    return f"{text} (GP error {number.group(1)})" if number else text


def looks_like_auth(texts: list[str]) -> bool:
    joined = " ".join(texts).lower()
    return any(p in joined for p in _AUTH_PHRASES)


def _fault_texts(fault: Any) -> list[str]:
    texts = [str(getattr(fault, "message", "") or "")]
    detail = getattr(fault, "detail", None)
    if isinstance(detail, etree._Element):
        texts.append(etree.tostring(detail, method="text", encoding="unicode") or "")
    return [t for t in texts if t]


class FaultTranslator:
    """Turns a zeep Fault into the GPError the pipeline acts on.

    `resolve(log_id)` calls GetLoggedValidationResultByKey and returns GP's messages (it may
    raise GPError itself; then the fault text stands).
    """

    def __init__(self, resolve: Callable[[str], list[str]],
                 company: Callable[[], str] | None = None) -> None:
        self._resolve = resolve
        self._company = company or (lambda: "")

    def translate(self, fault: Any, *, op: str, write: bool, what: str) -> GPError:
        faultstring = " ".join(str(getattr(fault, "message", "") or "").split())
        if "contractfilter mismatch" in faultstring.lower():
            # WCF's answer for an operation this server does not offer (older GP, a subset).
            return GPUnsupported(f"this GP server does not offer {op} ({what})")
        log_id = validation_log_id(getattr(fault, "detail", None))
        messages: list[str] = []
        if log_id:
            try:
                messages = self._resolve(log_id)
            except GPError:
                messages = []
        texts = messages or _fault_texts(fault)
        if looks_like_auth(texts):
            return GPAuthError(
                f"GP's security refused {op} for {what}: the connector's Web Services role does "
                f"not allow it ({'; '.join(plain_message(t) for t in texts)}). Ask the GP "
                "administrator to add this operation to the role (Dynamics Security Console)",
                messages=messages, log_id=log_id)
        company = self._company()
        where = f" (company {company})" if company else ""
        if log_id and messages:
            plain = [plain_message(m) for m in messages]
            return classify_refusal(f"GP rejected {what}: {'; '.join(plain)}{where}", plain,
                                    log_id=log_id)
        if log_id:
            # A validation fault whose log could not be read back: still a definite refusal.
            return GPRefused(f"GP rejected {what}{where}: {faultstring or 'validation failed'} "
                             f"(log id {log_id}; see GP's Web Services exception log)",
                             messages=[faultstring] if faultstring else [], log_id=log_id)
        system = SYSTEM_FAULT_TEXT in faultstring.lower()
        label = "an unhandled system exception" if system else f"a fault: {faultstring}"
        if write:
            return GPUnknownOutcome(
                f"GP answered {op} for {what} with {label}: it may or may not have been "
                "created; the connector reads GP back before any new attempt",
                messages=[faultstring])
        return GPTransient(f"GP answered {op} for {what} with {label}", messages=[faultstring])


def validation_messages(result: Any) -> list[str]:
    """Messages of a ValidationResult (errors first; warnings only when there are no errors)."""
    if result is None:
        return []
    out: list[str] = []
    for group, item in (("Errors", "ValidationError"), ("Warnings", "ValidationWarning")):
        arr = getattr(result, group, None)
        entries = getattr(arr, item, None) if arr is not None else None
        for e in entries or []:
            msg = (getattr(e, "Message", None) or "").strip()
            if msg:
                out.append(msg)
        if out:
            break
    return out

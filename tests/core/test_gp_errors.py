"""SOAP fault -> GPError classification, and the routing table (no network)."""
from __future__ import annotations

import pytest
from lxml import etree
from zeep.exceptions import Fault

from core.errors import ConfigError, GPAuthError, GPRefused, GPTransient
from core.gp.errors import (
    FaultTranslator,
    GPBatchUnavailable,
    GPInUse,
    plain_message,
    validation_log_id,
)
from core.gp.router import CAPABILITIES, resolve_routes

LOG_ID = "6f1c2a9e-0b7d-4c3e-8f21-5a9d3e7b4c10"
WCF = "http://schemas.datacontract.org/2004/07/System.ServiceModel"


def _detail(inner: str) -> etree._Element:
    return etree.fromstring(f'<detail><ExceptionDetail xmlns="{WCF}">{inner}'
                            "</ExceptionDetail></detail>")


def _validation_fault() -> Fault:
    return Fault("The application encountered a business object validation exception.",
                 code="s:Client", detail=_detail(f"<Message>{LOG_ID}</Message>"))


def test_log_id_from_message_node_then_anywhere() -> None:
    assert validation_log_id(_detail(f"<Message> {LOG_ID.upper()} </Message>")) == LOG_ID
    assert validation_log_id(_detail(f"<Other>id {LOG_ID}.</Other>")) == LOG_ID
    assert validation_log_id(_detail("<Message>no id here</Message>")) is None
    assert validation_log_id(None) is None


def test_validation_fault_carries_gps_messages() -> None:
    asked: list[str] = []

    def resolve(log_id: str) -> list[str]:
        asked.append(log_id)
        return ["Error Number = 4776  Stored Procedure= taSopLineIvcInsert  Error Description = "
                "Item BLU-TEE-M does not exist in company TWO\r\nNode Identifier Parameters: x"]

    err = FaultTranslator(resolve).translate(_validation_fault(), op="CreateSalesInvoice",
                                             write=True, what="invoice WC1042")
    assert asked == [LOG_ID]
    assert err.validation and not err.transient and not err.unknown_outcome
    assert str(err) == ("GP rejected invoice WC1042: Item BLU-TEE-M does not exist in company "
                        "TWO (GP error 4776)")
    assert err.log_id == LOG_ID and err.messages == [
        "Item BLU-TEE-M does not exist in company TWO (GP error 4776)"]


def test_validation_fault_whose_log_cannot_be_read_is_still_a_refusal() -> None:
    def resolve(log_id: str) -> list[str]:
        raise GPTransient("log unreadable")

    err = FaultTranslator(resolve).translate(_validation_fault(), op="CreateCustomer",
                                             write=True, what="customer WC1")
    assert err.validation and not err.unknown_outcome and LOG_ID in str(err)


def test_system_fault_on_write_is_unknown_outcome_and_on_read_transient() -> None:
    fault = Fault("The application encountered an unhandled system exception.  Contact your "
                  "system administrator for details.", code="s:Server")
    tr = FaultTranslator(lambda _id: [])
    write = tr.translate(fault, op="CreateSalesInvoice", write=True, what="invoice WC1")
    read = tr.translate(fault, op="GetSalesInvoiceList", write=False, what="invoice WC1")
    assert write.unknown_outcome and write.transient and not write.validation
    assert read.transient and not read.unknown_outcome


def test_security_refusal_is_an_auth_error() -> None:
    err = FaultTranslator(lambda _id: ["The user FABRIKAM\\ro does not have permission to "
                                       "perform CreateSalesInvoice"]).translate(
        _validation_fault(), op="CreateSalesInvoice", write=True, what="invoice WC1")
    assert isinstance(err, GPAuthError)
    assert "Dynamics Security" in str(err)


def test_plain_message_keeps_text_without_framing() -> None:
    assert plain_message("Customer  WC1 \n is on hold") == "Customer WC1 is on hold"
    assert plain_message("Sql procedure error codes returned: \n\rError Number = 67  Stored "
                         "Procedure= taSopHdrIvcInsert  Error Description = Subtotal does not "
                         "match the line item totals\r\n") == (
        "Subtotal does not match the line item totals (GP error 67)")


def test_routes_auto_prefers_soap_for_documents_and_sba_where_soap_cannot() -> None:
    soap = {c: "soap" for c in CAPABILITIES if c not in ("item_update", "customer_email_search")}
    sba = {"items": "sba", "item_update": "sba", "customers": "sba"}
    routes = resolve_routes({}, {"soap": soap, "sba": sba})
    assert routes["sales_invoice"] == "soap" and routes["customers"] == "soap"
    assert routes["items"] == "sba" and routes["item_update"] == "sba"
    assert routes["customer_email_search"] == "none"
    assert resolve_routes({}, {"soap": soap})["item_update"] == "none"
    assert resolve_routes({"items": "soap"}, {"soap": soap, "sba": sba})["items"] == "soap"
    assert resolve_routes({"customers": "sba"}, {"soap": soap})["customers"] == "none"


def test_routes_refuse_unknown_names() -> None:
    with pytest.raises(ConfigError, match="invoices"):
        resolve_routes({"invoices": "soap"}, {})
    with pytest.raises(ConfigError, match="rest"):
        resolve_routes({"items": "rest"}, {})


@pytest.mark.parametrize("message", [
    "Error Number = 2079  Stored Procedure= taSopHdrIvcInsert  Error Description = Document is "
    "currently being edited by another user",
    "Sales document WC1042 is in use by another user.",
])
def test_document_in_use_is_transient_not_a_refusal(message: str) -> None:
    err = FaultTranslator(lambda _id: [message]).translate(
        _validation_fault(), op="UpdateSalesInvoice", write=True, what="invoice WC1042")
    assert isinstance(err, GPInUse)
    assert err.transient and not err.validation and not err.unknown_outcome
    assert "waiting on GP" in str(err)


@pytest.mark.parametrize("message", [
    "Batch WC20261127 is being posted.", "Batch WC20261127 is marked for posting.",
    "The batch WC20261127 is in use by another user.",
])
def test_busy_batch_is_its_own_refusal(message: str) -> None:
    err = FaultTranslator(lambda _id: [message]).translate(
        _validation_fault(), op="CreateSalesInvoice", write=True, what="invoice WC1042")
    assert isinstance(err, GPBatchUnavailable) and err.validation and not err.transient


def test_an_ordinary_refusal_stays_a_refusal() -> None:
    err = FaultTranslator(lambda _id: ["The customer WC9 does not exist."]).translate(
        _validation_fault(), op="CreateSalesInvoice", write=True, what="invoice WC1042")
    assert type(err) is GPRefused and err.validation

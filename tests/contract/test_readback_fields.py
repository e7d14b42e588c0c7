"""The read-backs take a dozen fields of GP's answer with lxml instead of building zeep's objects
for all of it (core/gp/soap_readback.py): for every document the pipeline posts — invoices,
credit memos and returns — they must equal what the zeep parse of the same answer gives."""
from __future__ import annotations

import pytest

from core.errors import GPError
from core.gp import soap_read as rd
from core.store.db import close_db
from core.store.models import Order, Refund
from core.store.states import DocState
from tests.core.pipeline_env import start_env


@pytest.fixture
def env(tmp_path):
    e = start_env(tmp_path, orders=16, seed=3)
    yield e
    e.close()
    close_db()


def test_lxml_read_backs_equal_zeeps_parse_of_the_same_documents(env) -> None:
    env.settings.posting.refund_document = "return_when_restocked"
    env.ingest()
    env.runner().run_until_idle()
    env.woo_control("POST", "activity", {"refunds": 6})
    env.ingest()
    env.runner().run_until_idle()
    gw = env.gateway()
    c = gw.soap.c
    invoices = [o.gp_doc_number for o in Order.select().where(Order.state == DocState.VERIFIED)]
    refunds = [(r.gp_doc_type, r.gp_doc_number) for r in Refund.select().where(
        Refund.state == DocState.VERIFIED)]
    assert invoices and {k for k, _ in refunds} == {"return", "credit_memo"}, refunds
    for number in invoices:
        doc = c.call("GetSalesInvoiceByKey", write=False, what="test", key={"Id": number})
        expected = rd.sales_document(doc, None, "invoice", "SalesInvoiceLine")
        assert expected.lines and expected.total
        assert gw.read_sales_invoice(number) == expected
    for kind, number in refunds:
        if kind == "return":
            doc = c.call("GetSalesReturnByKey", write=False, what="test", key={"Id": number})
            assert gw.read_sales_return(number) == rd.sales_document(doc, None, "return",
                                                                     "SalesReturnLine")
        else:
            doc = c.call("GetReceivablesCreditMemoByKey", write=False, what="test",
                         key={"Id": number})
            assert gw.read_credit_memo(number) == rd.credit_memo_document(doc, None)


def test_a_fault_on_a_read_back_is_an_error_never_absent(env) -> None:
    gw = env.gateway()
    with pytest.raises(GPError):
        gw.read_sales_invoice("WCNOSUCHDOC")

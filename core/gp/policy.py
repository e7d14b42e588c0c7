"""GP's policies, read as the connector depends on them (gp.md §3.3-3.5, §22 "Policies").

Every Create/Update/Void passes the policy GP returns for the connector's company and role, and
GP acts on its *internal* behaviours, which only GP's Web Services administrator can change. The
connector therefore reads them and either adapts (distributions, taxes) or refuses to post
different amounts (unit prices). Pure: behaviours in, a `PostingPolicy` and what to change out.

Behaviours are found by GUID where Microsoft publishes one, else by name ("Calculate Unit Price
Behavior" and "Calculate Unit Price" alike). An option is read by its name; what a name we do not
recognise means is "unknown", never a guess.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    """One behaviour of a policy as GP returned it."""

    id: str  # GUID, lower case ("" when GP sent none)
    name: str
    option: str  # the selected option's name (or its id as text)
    internal: bool = True


@dataclass(frozen=True)
class Known:
    key: str
    guid: str
    name: str  # GP's name without " Behavior"


KNOWN: tuple[Known, ...] = (
    Known("unit_price", "2e873316-fee1-460e-8da1-12167013401b", "Calculate Unit Price"),
    Known("total_amount", "41233b06-db1a-4050-b4af-207eb2c908b3", "Calculate Total Amount"),
    Known("distributions", "e476a157-ecf0-4dae-8cef-317dd2cfbe41",
          "Create GL Account Distributions"),
    Known("warehouse", "758c758e-13fc-42cc-a508-57a8abe04dcd", "Default Warehouse"),
    Known("batch_prefix", "dc788b46-e2ae-4b7a-80c2-00cb40dcf76f", "Assign Batch Prefix"),
    Known("create_taxes", "", "Create Taxes"),
    Known("header_taxes", "", "Use Header Level Taxes"),
    Known("freight_tax", "", "Freight Tax"),
    Known("misc_tax", "", "Miscellaneous Tax"),
    Known("customer_class", "", "Customer Class Defaulting"),
)
_BY_KEY = {k.key: k for k in KNOWN}

# Operations whose policy the connector passes, in the order `check` reads them.
SALES_INVOICE_OPS = ("CreateSalesInvoice", "UpdateSalesInvoice", "VoidSalesInvoice")
OPERATION_WORDS = {
    "CreateSalesInvoice": "Create Sales Invoice", "UpdateSalesInvoice": "Update Sales Invoice",
    "VoidSalesInvoice": "Void Sales Invoice", "CreateSalesReturn": "Create Sales Return",
    "CreateReceivablesCreditMemo": "Create Receivables Credit Memo",
    "CreateCustomer": "Create Customer", "UpdateCustomer": "Update Customer",
    "CreateInventoryAdjustment": "Create Inventory Adjustment",
}


def _norm(name: str) -> str:
    low = " ".join(name.lower().split())
    return low[: -len(" behavior")] if low.endswith(" behavior") else low


def find(behaviours: Iterable[Behaviour], key: str) -> Behaviour | None:
    known = _BY_KEY[key]
    for b in behaviours:
        if (known.guid and b.id.lower() == known.guid) or _norm(b.name) == _norm(known.name):
            return b
    return None


def _option(b: Behaviour | None) -> str:
    return _norm(b.option) if b is not None else ""


def gp_calculates(b: Behaviour | None) -> bool | None:
    """"Calculate" / "Do Not Calculate" style options (unit price, total amount)."""
    opt = _option(b)
    if not opt:
        return None
    if opt.startswith("do not") or opt == "0":
        return False
    if opt.startswith("calculate") or opt == "1":
        return True
    return None


def distributions_provided(b: Behaviour | None) -> bool | None:
    opt = _option(b)
    if "will be provided" in opt or opt == "0":
        return True
    if opt.startswith("automatic") or opt == "1":
        return False
    return None


def taxes_provided(b: Behaviour | None) -> bool | None:
    """Create Taxes: whether the document's own tax lines are used (unconfirmed option names;
    GP's sample 'SOPInvoiceTaxesSample' passes tax details with the behaviour set)."""
    opt = _option(b)
    if not opt:
        return None
    if "provided" in opt or opt.startswith(("do not calculate", "do not create", "use ")):
        return True
    if opt.startswith(("calculate", "create", "automatic")):
        return False
    return None


def batch_prefix(b: Behaviour | None) -> bool | None:
    opt = _option(b)
    if opt.startswith("no prefix") or opt == "1":
        return False
    if opt.startswith("specify") or opt == "2":
        return True
    return None


@dataclass(frozen=True)
class PostingPolicy:
    """What GP will do with the invoice the connector sends (None: GP did not say)."""

    keeps_unit_prices: bool | None
    keeps_unit_prices_on_update: bool | None
    distributions_provided: bool | None
    taxes_provided: bool | None
    prefixes_batches: bool | None

    @property
    def supply_distributions(self) -> bool:
        """Send distributions only when GP will use them; otherwise read GP's back."""
        return self.distributions_provided is True


def posting_policy(by_operation: Mapping[str, Sequence[Behaviour]]) -> PostingPolicy:
    create = by_operation.get("CreateSalesInvoice", ())
    update = by_operation.get("UpdateSalesInvoice", ())
    calc = gp_calculates(find(create, "unit_price"))
    calc_upd = gp_calculates(find(update, "unit_price")) if update else None
    return PostingPolicy(
        keeps_unit_prices=None if calc is None else not calc,
        keeps_unit_prices_on_update=None if calc_upd is None else not calc_upd,
        distributions_provided=distributions_provided(find(create, "distributions")),
        taxes_provided=taxes_provided(find(create, "create_taxes")),
        prefixes_batches=batch_prefix(find(create, "batch_prefix")))


@dataclass(frozen=True)
class PolicyFinding:
    status: str  # ok | warn | fail | info (core.check's words)
    subject: str
    detail: str
    fix: str = ""


def instance_fix(operation: str, role: str, behaviour: str, option: str) -> str:
    """The administrator's task in GP's words."""
    words = OPERATION_WORDS.get(operation, operation)
    who = f"role {role}" if role else "the connector's role (then set [gp] role to it)"
    return (f"in the Dynamics Security Console, create a policy instance of {words} for {who} "
            f"with {behaviour} = {option}")


def review(operation: str, behaviours: Sequence[Behaviour], *, role: str, tax_mode: str
           ) -> list[PolicyFinding]:
    """What `check` says about one operation's policy for the connector's role."""
    out: list[PolicyFinding] = []
    words = OPERATION_WORDS.get(operation, operation)
    subject = f"Policy: {words}"
    sales_doc = operation in ("CreateSalesInvoice", "UpdateSalesInvoice", "CreateSalesReturn")
    if sales_doc:
        calc = gp_calculates(find(behaviours, "unit_price"))
        if calc is True:
            out.append(PolicyFinding("fail", subject, "Calculate Unit Price = Calculate: GP "
                                     "replaces WooCommerce's prices with its price list, so "
                                     "invoices would post different amounts",
                                     instance_fix(operation, role, "Calculate Unit Price",
                                                  "Do Not Calculate")))
        elif calc is None:
            out.append(PolicyFinding("warn", subject, "GP does not report Calculate Unit Price "
                                     "for this role; the read-back holds any re-priced invoice",
                                     instance_fix(operation, role, "Calculate Unit Price",
                                                  "Do Not Calculate")))
        else:
            out.append(PolicyFinding("ok", subject, "Calculate Unit Price = Do Not Calculate: "
                                     "GP keeps WooCommerce's prices"))
    if operation in ("CreateSalesInvoice", "CreateSalesReturn"):
        out.extend(_review_documents(operation, behaviours, role=role, tax_mode=tax_mode))
    if operation == "CreateReceivablesCreditMemo":
        taxes = find(behaviours, "create_taxes")
        # A credit memo gives back exactly what WooCommerce refunded, tax included, as one
        # amount: GP adding its own tax to it would credit a different amount.
        if taxes is not None and taxes_provided(taxes) is not True:
            out.append(PolicyFinding("fail", subject, f"Create Taxes = {taxes.option}: GP would "
                                     "add its own tax to each refund's credit memo, crediting "
                                     "more than WooCommerce refunded",
                                     instance_fix(operation, role, "Create Taxes",
                                                  "Taxes Will Be Provided")))
    return out


def _review_documents(operation: str, behaviours: Sequence[Behaviour], *, role: str,
                      tax_mode: str) -> list[PolicyFinding]:
    out: list[PolicyFinding] = []
    words = OPERATION_WORDS[operation]
    subject = f"Policy: {words}"
    dist = distributions_provided(find(behaviours, "distributions"))
    if dist is True:
        out.append(PolicyFinding("info", subject, "Create GL Account Distributions = "
                                 "Distributions Will Be Provided: the connector sends its GL "
                                 "mapping's distributions"))
    else:
        out.append(PolicyFinding("info", subject, "Create GL Account Distributions = "
                                 "Automatically Create Distributions: GP distributes; the "
                                 "connector reads them back and shows any difference from the "
                                 "GL mapping on the order"))
    prefix = batch_prefix(find(behaviours, "batch_prefix"))
    if prefix is True:
        out.append(PolicyFinding("fail", subject, "Assign Batch Prefix = Specify Prefix: GP "
                                 "would rename the connector's daily batches",
                                 instance_fix(operation, role, "Assign Batch Prefix",
                                              "No Prefix")))
    taxes = find(behaviours, "create_taxes")
    provided = taxes_provided(taxes)
    option = taxes.option if taxes else ""
    if tax_mode == "woo":
        if provided is True:
            out.append(PolicyFinding("ok", subject, f"Create Taxes = {option}: GP takes "
                                     "WooCommerce's tax amounts"))
        else:
            seen = f"Create Taxes = {taxes.option}" if taxes else "no Create Taxes behaviour"
            out.append(PolicyFinding("fail", subject, f"{seen}: GP computes its own tax, so "
                                     "WooCommerce's tax ([posting] tax_mode = woo) would post "
                                     "different amounts",
                                     instance_fix(operation, role, "Create Taxes",
                                                  "Taxes Will Be Provided") +
                                     ", or set [posting] tax_mode = \"gp\""))
    elif provided is True:
        out.append(PolicyFinding("fail", subject, f"Create Taxes = {option}: GP expects the "
                                 "tax lines from the connector, but [posting] tax_mode = gp "
                                 "sends none, so invoices would post without tax",
                                 instance_fix(operation, role, "Create Taxes", "Calculate Taxes")
                                 + ", or set [posting] tax_mode = \"woo\""))
    else:
        out.append(PolicyFinding("ok", subject, "GP calculates tax from its tax schedules; the "
                                 "connector compares it with WooCommerce's on read-back"))
    return out

"""`ml-connector check`: ping the real systems and say, in plain words, whether we fit.

Functions take settings and secrets (not the vault) so they can be tested against the stand-ins.
Each finding is ok / warn / fail with what to fix; any "fail" blocks the sync (non-zero exit).

GP roles are found out two ways: the policy of each write operation is read (it also tells
whether GP re-prices lines), and a harmless probe asks GP to create a document it must refuse
(no customer, no amount). GP checks the role before the document, so a validation refusal means
"allowed", while a refusal by security - or a system exception on an empty document - means
the Web Services role does not allow the operation.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.check_setup import SetupRefs, check_policies, check_setup_ids
from core.check_shop import check_shop
from core.check_sign_in import check_sign_in, ticket_without_password
from core.config import Settings
from core.errors import (
    ConfigError,
    ConnectorError,
    GPAuthError,
    GPError,
    GPTransient,
    WooError,
)
from core.gp.factory import open_gateway
from core.gp.router import DESCRIPTIONS
from core.woo.client import WooClient

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
GP_PASSWORD = "gp.password"
WOO_KEY = "woocommerce.consumer_key"
WOO_SECRET = "woocommerce.consumer_secret"

WRITE_ROLES: tuple[tuple[str, str], ...] = (
    ("CreateCustomer", "create customers"),
    ("CreateSalesInvoice", "create invoices"),
    ("CreateReceivablesCreditMemo", "create credit memos"),
)


@dataclass
class Finding:
    system: str  # "GP" | "WooCommerce"
    subject: str
    status: str  # ok | warn | fail | info
    detail: str
    fix: str = ""


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.status == FAIL]

    @property
    def ok(self) -> bool:
        return not self.blocking

    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def render(self) -> str:
        marks = {OK: "  ok ", WARN: " warn", FAIL: " FAIL", INFO: "     "}
        lines: list[str] = []
        system = ""
        for f in self.findings:
            if f.system != system:
                system = f.system
                lines.append(("" if not lines else "\n") + f"{system}")
            lines.append(f"{marks[f.status]}  {f.subject}: {f.detail}")
            if f.fix:
                lines.append(f"         -> {f.fix}")
        if self.timings_ms:
            figures = ", ".join(f"{k} {v:.0f} ms" for k, v in self.timings_ms.items())
            lines.append(f"\nGP response times: {figures}")
        lines.append("")
        if self.ok:
            warns = sum(1 for f in self.findings if f.status == WARN)
            lines.append("Everything needed for the sync works" +
                         (f" ({warns} warning(s) above)." if warns else "."))
        else:
            lines.append(f"{len(self.blocking)} problem(s) block the sync: fix the FAIL lines "
                         "above and run `ml-connector check` again.")
        return "\n".join(lines)


class _Timer:
    def __init__(self, report: CheckReport) -> None:
        self.report = report

    def __call__(self, label: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.report.timings_ms.setdefault(label, (time.perf_counter() - start) * 1000.0)


# --- GP ---------------------------------------------------------------------------------------

def _gp_transport(settings: Settings, add: Callable[..., None]) -> None:
    gp = settings.gp
    scheme = urlsplit(gp.soap_url or gp.sba_url).scheme
    if scheme == "https":
        trust = f"CA bundle {gp.ca_bundle}" if gp.ca_bundle else "the system's trusted CAs"
        cb = ", with channel binding" if gp.channel_binding else ""
        add("Transport", OK, f"HTTPS verified against {trust}{cb}")
    elif scheme == "http" and gp.allow_http:
        add("Transport", WARN, "plain http:// (allowed by [gp] allow_http): invoices and "
            "customers travel unencrypted", "serve GP Web Services over https:// and remove "
            "allow_http")


def check_gp(settings: Settings, password: str | None, workspace_dir: Path | None, *,
             probe: bool = True, refresh_wsdl: bool = False, wsdl: str | None = None,
             report: CheckReport | None = None,
             opener: Callable[..., Any] | None = None,
             refs: SetupRefs | None = None) -> CheckReport:
    report = report or CheckReport()
    gp = settings.gp

    def add(subject: str, status: str, detail: str, fix: str = "") -> None:
        report.findings.append(Finding("GP", subject, status, detail, fix))

    if not gp.soap_url and not gp.sba_url:
        add("Address", FAIL, "no GP address is configured",
            "set [gp] soap_url to https://<server>:48620/DynamicsGPWebServices/"
            "DynamicsGPService.asmx")
        return report
    if not gp.user:
        add("Windows account", FAIL, "[gp] user is empty", "set it to DOMAIN\\user")
        return report
    if not password and not ticket_without_password(gp):
        add("Windows account", FAIL, f"no password stored for {gp.user}",
            "store it with `ml-connector credentials set gp.password`")
        return report
    open_: Callable[..., Any] = opener or open_gateway
    timer = _Timer(report)
    try:
        gateway = timer("WSDL", lambda: open_(settings, password or "", workspace_dir,
                                              refresh_wsdl=refresh_wsdl, wsdl=wsdl))
    except ConfigError as exc:
        add("Configuration", FAIL, str(exc))
        return report
    except GPAuthError as exc:
        add("Windows account", FAIL, str(exc))
        return report
    except GPError as exc:
        add("Connection", FAIL, str(exc), "check that GP Web Services runs and that this "
            "machine can reach it")
        return report
    try:
        _gp_transport(settings, add)
        _check_gp_open(settings, gateway, add, timer, probe=probe, refs=refs)
    finally:
        gateway.close()
    return report


def _check_gp_open(settings: Settings, gateway: Any, add: Callable[..., None],
                   timer: _Timer, *, probe: bool, refs: SetupRefs | None = None) -> None:
    gp = settings.gp
    soap = gateway.soap
    if soap is not None:
        try:
            companies = timer("GetCompanyList", soap.c.companies)
        except GPAuthError as exc:
            add("Windows account", FAIL, str(exc))
            return
        except GPError as exc:
            add("Connection", FAIL, f"GP Web Services did not answer: {exc}")
            return
        add("Windows account", OK, f"{gp.user} signed in to GP Web Services")
        check_sign_in(settings, soap.c.http, add)
        try:
            company = soap.c.company()
        except ConfigError as exc:
            add("Company", FAIL, str(exc), "set [gp] company to one of the names GP lists")
            return
        add("Company", OK, f"{company.name} (id {company.key}); {len(companies)} company(ies) "
            "visible to this account")
        _check_roles(settings, soap, add, timer, probe=probe, refs=refs)
    elif gateway.sba is not None:
        check_sign_in(settings, gateway.sba.http, add)
    _check_routes(gateway, add)


def _check_roles(settings: Settings, soap: Any, add: Callable[..., None], timer: _Timer, *,
                 probe: bool, refs: SetupRefs | None = None) -> None:
    try:
        timer("GetSalesInvoiceList", lambda: soap.find_sales_invoice("MLCPROBE"))
        add("Role: read documents", OK, "can look up invoices by number (work and history), "
            "which is how duplicates are prevented")
    except GPError as exc:
        add("Role: read documents", FAIL, f"cannot look up invoices: {exc}",
            "give the connector's Web Services role the Sales Invoice read operations")
    ops = list(WRITE_ROLES)
    if settings.posting.refund_document == "return_when_restocked":
        ops.append(("CreateSalesReturn", "create returns"))
    for op, label in ops:
        subject = f"Role: {label}"
        try:
            timer("GetPolicyByOperation", partial(soap.c.policy, op))
        except GPError as exc:
            add(subject, FAIL, f"GP will not give the {op} policy: {exc}",
                f"allow {op} and its policy for the connector's role (Dynamics Security "
                "Console)")
            continue
        if not probe:
            add(subject, INFO, "policy readable; not probed (--no-probe)")
            continue
        try:
            outcome = soap.probe(op)
        except GPAuthError as exc:
            add(subject, FAIL, str(exc))
            continue
        except GPTransient:  # an unknown outcome too: a probe GP could not even refuse
            add(subject, FAIL, f"GP refused {op} with a system exception even for an "
                "empty probe document: the connector's Web Services role most likely may "
                "not run it (GP's exception log has the reason)",
                f"add {op} to the role of {settings.gp.user} in the Dynamics Security "
                "Console")
            continue
        except GPError as exc:
            add(subject, WARN, f"could not tell: {exc}")
            continue
        if outcome == "allowed":
            add(subject, OK, "allowed (GP refused an empty probe document, as it should)")
        else:
            add(subject, WARN, "allowed, but GP accepted an empty probe document",
                "delete document MLCPROBE in GP")
    check_policies(settings, soap, add)
    check_setup_ids(settings, soap, add, refs)


def _check_routes(gateway: Any, add: Callable[..., None]) -> None:
    caps = gateway.capabilities()
    sba = gateway.sba
    if sba is not None:
        reach = sba.status()
        add("SBA", OK if reach.startswith("serves") else WARN, f"Service Based Architecture "
            f"{reach}")
    if caps.get("accounts", "none") != "none":
        try:
            if gateway.account_exists("000-0000-00") is None:
                caps["accounts"] = "none"
        except GPError:
            pass  # reachable but failing: the route stays listed; posting reports it
    for cap, route in caps.items():
        desc = DESCRIPTIONS.get(cap, cap)
        why = gateway.explain(cap)  # "over SBA: SBA /help lists …" / "not available: …"
        if route == "none" and cap == "accounts":
            add(f"Route: {cap}", INFO, "this GP server offers no chart-of-accounts read: GL "
                "accounts are checked by format only, GP checks them when documents post")
        elif route != "none":
            add(f"Route: {cap}", INFO, f"{desc} {why}")
        elif cap == "item_update":
            add(f"Route: {cap}", WARN, f"{desc}: {why}. Changes of item names or prices from "
                "WooCommerce become tasks for the accountant",
                "enable GP's Service Based Architecture with its item routes and set [gp] "
                "sba_url to automate them")
        elif cap == "customer_email_search":
            add(f"Route: {cap}", INFO, f"{desc}: {why}; guest policy \"match\" cannot look "
                "up customers by e-mail (per_email and shared work)")
        else:
            add(f"Route: {cap}", FAIL, f"no enabled route can {desc}: {why}",
                "check [gp] soap_url and [gp] routes")


# --- WooCommerce ------------------------------------------------------------------------------

def check_woo(settings: Settings, consumer_key: str | None, consumer_secret: str | None, *,
              report: CheckReport | None = None) -> CheckReport:
    report = report or CheckReport()
    woo = settings.woocommerce

    def add(subject: str, status: str, detail: str, fix: str = "") -> None:
        report.findings.append(Finding("WooCommerce", subject, status, detail, fix))

    if not woo.url:
        add("Store", FAIL, "[woocommerce] url is empty", "set it to the shop's home URL")
        return report
    if not consumer_key or not consumer_secret:
        add("API keys", FAIL, "no consumer key/secret stored", "create a read/write REST API "
            "key in WooCommerce and store it with `ml-connector credentials`")
        return report
    try:
        client = WooClient(woo.url, consumer_key, consumer_secret,
                           ca_bundle=woo.ca_bundle or None, timeout_s=min(woo.timeout_s, 30.0),
                           max_attempts=1)
    except WooError as exc:
        add("Store", FAIL, str(exc))
        return report
    with client:
        if not client.https:
            add("Transport", WARN, f"{woo.url} is plain http:// (OAuth 1.0a signatures; "
                "orders travel unencrypted)", "serve the store over https://")
        try:
            status = client.system_status()
        except WooError as exc:
            fix = ("check the consumer key/secret and that the key has Read/Write permission"
                   if exc.status in (401, 403) else "check [woocommerce] url and the network")
            add("REST API", FAIL, str(exc), fix)
            return report
        env = status.get("environment", {}) if isinstance(status, dict) else {}
        add("REST API", OK, f"WooCommerce {env.get('version', '?')} on WordPress "
            f"{env.get('wp_version', '?')}, keys accepted")
        try:
            hooks = client.list_webhooks()
        except WooError as exc:
            add("Webhooks", WARN, f"cannot list webhooks ({exc}); orders still arrive by "
                "polling", "give the API key Read/Write permission")
        else:
            disabled = [h for h in hooks if h.get("status") == "disabled"]
            if disabled:
                names = ", ".join(str(h.get("name") or h.get("id")) for h in disabled)
                add("Webhooks", WARN, f"WooCommerce disabled {len(disabled)} webhook(s): "
                    f"{names}; polling covers the gap", "re-activate them in WooCommerce > "
                    "Settings > Advanced > Webhooks once the connector is reachable")
            else:
                add("Webhooks", OK, f"available ({len(hooks)} configured)")
        check_shop(settings, client, add)
    listen_host = settings.worker.listen.rsplit(":", 1)[0]
    if not settings.worker.public_url and listen_host in ("127.0.0.1", "localhost", "::1"):
        add("Webhook delivery", WARN, f"the receiver listens on {settings.worker.listen} only "
            "and no public URL is set: WooCommerce cannot deliver webhooks, orders arrive by "
            "polling", "set [worker] public_url (e.g. behind a reverse proxy)")
    return report


def run_check(settings: Settings, secrets: Mapping[str, str | None],
              workspace_dir: Path | None, **gp_options: Any) -> CheckReport:
    report = CheckReport()
    try:
        check_woo(settings, secrets.get(WOO_KEY), secrets.get(WOO_SECRET), report=report)
    except ConnectorError as exc:  # never let one side hide the other's findings
        report.findings.append(Finding("WooCommerce", "Check", FAIL, str(exc)))
    try:
        check_gp(settings, secrets.get(GP_PASSWORD), workspace_dir, report=report,
                 **gp_options)
    except ConnectorError as exc:
        report.findings.append(Finding("GP", "Check", FAIL, str(exc)))
    return report

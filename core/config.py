"""Settings (TOML) and where a workspace keeps its files.

One dataclass per section; every field has a default that is what most shops want and a
docstring-style comment. Unknown keys are refused with the section and key named, so a typo never
silently falls back to a default. Loading is pure: `load_settings(text)`; files: `Workspace`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit

import platformdirs

from core.config_alerts import (
    AlertSettings,
    MetricsSettings,
    is_host_port,
    validate_alerts,
)
from core.config_edit import updated_toml
from core.config_rules import check_ranges
from core.errors import ConfigError


@dataclass
class WooSettings:
    url: str = ""  # the store's home URL, e.g. https://shop.example.com
    ca_bundle: str = ""  # PEM file to trust for a self-signed store certificate
    timeout_s: float = 30.0
    verify_source: bool = True  # check X-WC-Webhook-Source against the store's home URL
    # WordPress's home URL, read from the shop (`init`, and the worker at start): the URL
    # WooCommerce signs webhooks with, which may differ from `url` (http vs https, www).
    home_url: str = ""


@dataclass
class GPSettings:
    soap_url: str = ""  # .../DynamicsGPWebServices/DynamicsGPService.asmx
    sba_url: str = ""  # .../GPService/Tenants(DefaultTenant)/Companies(<name>)
    user: str = ""  # DOMAIN\user (the password lives in the vault)
    company: str = ""
    ca_bundle: str = ""
    allow_http: bool = False  # http:// GP URLs are refused unless this is set (and it is logged)
    channel_binding: bool = False  # send channel bindings (Extended Protection "Required")
    # Windows sign-in: "ntlm" | "negotiate" (Kerberos, NTLM as the fallback) | "kerberos" (only)
    auth: str = "ntlm"
    kerberos_realm: str = ""  # DOMAIN\user signs in as user@REALM; empty: krb5.conf's default
    spn: str = ""  # GP's service principal; empty: HTTP/<host of the GP URL>
    # Where the account's Kerberos ticket comes from (negotiate/kerberos), instead of the stored
    # password: a keytab with the account's keys, or a credential cache kept fresh elsewhere.
    kerberos_keytab: str = ""  # e.g. /etc/ml-connector/svc-gp.keytab
    kerberos_ccache: str = ""  # e.g. FILE:/var/lib/ml-connector/krb5cc, KCM:
    wsdl: str = ""  # local WSDL override; default: fetched from the server and cached
    timeout_s: float = 60.0
    # capability -> "soap" | "sba" | "auto"; `check` shows the result
    routes: dict[str, str] = field(default_factory=dict)
    # The Web Services role whose policy instances the connector uses, sent as the RoleKey of
    # every call. Empty: GP guesses the role, and falls back to the default policy (which
    # re-prices lines) when the account has several roles.
    role: str = ""
    # How GP's SQL Server compares keys: trailing spaces never count; "case_insensitive" (most
    # GP databases) or "binary" (a binary sort order install). Used by every existence check.
    key_collation: str = "case_insensitive"
    # The company's functional currency (GP's Multicurrency Setup; Web Services does not tell
    # it): orders in it carry no exchange rate.
    functional_currency: str = "USD"


@dataclass
class PostingSettings:
    doc_number_template: str = "WC{number}"  # GP SOP number (<= 17 characters)
    refund_number_template: str = "WCR{refund_id}"  # credit memo / return number
    batch_template: str = "WC{date:%Y%m%d}"  # one GP batch per day (<= 15)
    eligible_statuses: list[str] = field(default_factory=lambda: ["processing", "completed"])
    tax_mode: str = "woo"  # "woo": pass WooCommerce's tax amounts; "gp": GP calculates
    # tax_mode "gp": WooCommerce tax rate id -> the GP tax schedule GP computes that order's tax
    # by (sent as the invoice's TaxScheduleKey). An order taxed at an unmapped rate is held.
    tax_schedules: dict[str, str] = field(default_factory=dict)
    rounding_tolerance: str = "0.02"  # within it the difference goes to the rounding account
    guest_policy: str = "per_email"  # per_email | shared | match
    shared_customer_id: str = "WEBCUSTOMER"
    # Put before every customer id the connector makes ("RWC000012", "RG-OLI-5Q2K7W"): up to 3
    # letters/digits, so two shops feeding one GP company never share a customer id.
    customer_id_prefix: str = ""
    customer_class: str = "WEB"
    unit_of_measure: str = "Each"
    site: str = "MAIN"
    refund_document: str = "credit_memo"  # credit_memo | return_when_restocked
    # An order edited upwards after its invoice was posted: what the accountant raises in GP
    # for the difference ("invoice": an additional invoice; "debit_memo").
    changed_increase_document: str = "invoice"
    allow_fallback_item: bool = False  # never by default: unknown SKUs hold the order
    fallback_item: str = ""
    # WooCommerce status -> action on an existing invoice: hold | void | credit_memo | none
    status_map: dict[str, str] = field(default_factory=lambda: {
        "cancelled": "void", "refunded": "credit_memo", "on-hold": "hold", "failed": "void"})
    # gateway id -> {"payment_type": "credit_card"|"cash"|"check"|"none", "card_type": GP
    # payment card type id, "checkbook": GP checkbook id}; ids are GP's own, chosen from GP's
    # lists (`ml-connector payments`). A gateway without an entry leaves its invoices unpaid.
    gateways: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoice_doc_type: str = ""  # GP's SOP document type id for invoices (e.g. STDINV); "" = GP's
    return_doc_type: str = ""  # ... and for returns (e.g. RTN)
    hold_id: str = "WCHOLD"  # GP process hold (Sales Process Holds Setup) for on-hold orders
    # An order in another currency than GP's functional one: "gp" lets GP take the rate from
    # its exchange table for the document date; "shop" sends the rate in shop_rates instead
    # (ISO code -> functional units per unit, as a string: {EUR = "1.0850"}).
    exchange_rate: str = "gp"
    shop_rates: dict[str, str] = field(default_factory=dict)
    concurrency: int = 4


@dataclass
class ProductSettings:
    enabled: bool = True
    owner_name: str = "woocommerce"  # woocommerce | gp | last_writer
    owner_price: str = "gp"
    owner_quantity: str = "gp"
    price_level: str = "RETAIL"
    site: str = "MAIN"  # or "all" to sum every site
    scan_interval_s: int = 900
    # "plan": the first pass writes nothing; it is a plan the accountant reviews and approves
    # (console Products, or `products approve`). "approved": someone already reviewed it.
    first_run: str = "plan"
    # A pass that would write to more products than this stops and asks (0 = no limit).
    max_changes_per_pass: int = 25
    # GP batch for the inventory adjustments shop stock changes become (GP requires one, <= 15)
    adjustment_batch_template: str = "WCIV{date:%Y%m%d}"


@dataclass
class ScheduleSettings:
    timezone: str = "UTC"  # the store's time zone for business hours
    business_days: list[str] = field(default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"])
    business_hours: str = "08:00-18:00"
    business_interval_s: int = 120
    off_hours_interval_s: int = 3600
    busy_interval_s: int = 30  # while orders are flowing
    busy_threshold: int = 5  # orders seen in the last poll that count as "flowing"


@dataclass
class WorkerSettings:
    listen: str = "127.0.0.1:8787"  # webhook receiver
    public_url: str = ""  # what WooCommerce calls, if different (reverse proxy)
    poll_overlap_s: int = 300
    max_body_bytes: int = 2_000_000
    lease_ttl_s: int = 60
    # Webhook bodies (personal data) are dropped this many days after they were processed.
    delivery_retention_days: int = 90
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)


@dataclass
class LoggingSettings:
    format: str = "text"  # text | json
    level: str = "INFO"
    file: str = ""


@dataclass
class StoreSettings:
    # "": the workspace's state.db (SQLite, the default). postgresql://user@host:port/database:
    # the state on PostgreSQL (pip install 'ml-connector[postgresql]'). No password here: libpq
    # finds it in ~/.pgpass or PGPASSWORD, or signs in with a client certificate (sslcert).
    database_url: str = ""


@dataclass
class Settings:
    woocommerce: WooSettings = field(default_factory=WooSettings)
    gp: GPSettings = field(default_factory=GPSettings)
    posting: PostingSettings = field(default_factory=PostingSettings)
    products: ProductSettings = field(default_factory=ProductSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    store: StoreSettings = field(default_factory=StoreSettings)


# What a TOML value of each annotated type may be (an int is a fine float).
_PLAIN_TYPES: dict[Any, type | tuple[type, ...]] = {
    str: str, bool: bool, int: int, float: (int, float), list: list, dict: dict,
}


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"[{where}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"[{where}] has unknown setting(s): {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(known))}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            kwargs[name] = _build(hint, value, f"{where}.{name}")
            continue
        origin = getattr(hint, "__origin__", hint)
        expected = _PLAIN_TYPES.get(origin)
        if expected and (not isinstance(value, expected)
                         or (origin is int and isinstance(value, bool))):
            raise ConfigError(f"[{where}] {name} = {value!r} should be {origin.__name__}")
        kwargs[name] = float(value) if origin is float else value
    return cls(**kwargs)


def load_settings(text: str, source: str = "configuration") -> Settings:
    """Parse and check settings; raises ConfigError naming the file, section and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from exc
    try:
        settings = _build(Settings, data, "settings")
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    validate(settings, source)
    return settings


def validate(s: Settings, source: str = "configuration") -> None:
    """Every setting inside its allowed range (core.config_rules), or ConfigError naming the
    file, section, key, value and what is allowed; then the sign-in, alerts and metrics checks,
    whose messages are prefixed with the file too."""
    check_ranges(s, source)
    try:
        _validate_sections(s)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _validate_sections(s: Settings) -> None:
    if s.gp.key_collation not in ("case_insensitive", "binary"):
        raise ConfigError("[gp] key_collation must be case_insensitive or binary")
    if s.gp.auth not in ("ntlm", "negotiate", "kerberos"):
        raise ConfigError(f"[gp] auth must be ntlm, negotiate or kerberos, not {s.gp.auth!r}")
    if s.gp.kerberos_keytab and s.gp.kerberos_ccache:
        raise ConfigError("[gp] kerberos_keytab and kerberos_ccache are both set: the ticket "
                          "comes from one of them; remove the other")
    if (s.gp.kerberos_keytab or s.gp.kerberos_ccache) and s.gp.auth == "ntlm":
        key = "kerberos_keytab" if s.gp.kerberos_keytab else "kerberos_ccache"
        raise ConfigError(f"[gp] {key} is set but [gp] auth = ntlm never uses Kerberos: set "
                          "auth to negotiate or kerberos, or remove it")
    if s.gp.spn and not re.fullmatch(r"[A-Za-z]+/[^/@\s]+", s.gp.spn.strip()):
        raise ConfigError(f"[gp] spn {s.gp.spn!r} should look like HTTP/gp01.example.local")
    _validate_database_url(s.store.database_url)
    validate_alerts(s.alerts)
    if s.metrics.listen and not is_host_port(s.metrics.listen):
        raise ConfigError(f"[metrics] listen = {s.metrics.listen!r} should be HOST:PORT, "
                          "e.g. 127.0.0.1:9464")


def _validate_database_url(url: str) -> None:
    """Said without the URL itself: it could carry the password it must not carry."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise ConfigError("[store] database_url should read postgresql://user@host:port/database")
    if parts.password is not None:
        raise ConfigError("[store] database_url carries a password: remove it from config.toml "
                          "and put it in ~/.pgpass (or PGPASSWORD in the service's environment)")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _toml_value(k)


def dump_settings(s: Settings) -> str:
    """Settings as TOML text (no secret is ever part of Settings)."""
    lines: list[str] = []

    def section(obj: Any, name: str) -> None:
        lines.append(f"[{name}]")
        nested = []
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                nested.append((f.name, value))
            else:
                lines.append(f"{f.name} = {_toml_value(value)}")
        lines.append("")
        for sub, value in nested:
            section(value, f"{name}.{sub}")

    for f in dataclasses.fields(s):
        section(getattr(s, f.name), f.name)
    return "\n".join(lines)


KEY_HOME_ENV = "ML_CONNECTOR_KEY_HOME"  # where workspaces' key folders live (tests, services)


def key_home() -> Path:
    """The per-user folder holding one key folder per workspace: outside every workspace, so a
    copy of a workspace (a backup, a zip sent to support) carries no key and decrypts nothing."""
    override = os.environ.get(KEY_HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return Path(platformdirs.user_config_dir("ml-connector-keys"))


def workspace_key_dir(root: Path) -> Path:
    """This workspace's key folder under key_home(), named after the workspace's absolute path
    (a copy elsewhere looks in another folder and finds no key)."""
    digest = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    return key_home() / f"{root.name[:40] or 'workspace'}-{digest}"


@dataclass(frozen=True)
class Workspace:
    """Where configuration, state and key live.

    With --workspace DIR the configuration and database are under DIR and the key in its own
    0700 folder under the user's key home (ML_CONNECTOR_KEY_HOME, else the platform's config
    folder `ml-connector-keys`), never inside DIR: the database and the workspace can be copied
    or backed up without the key. Otherwise the platform's folders.
    """

    config_path: Path
    db_path: Path
    key_dir: Path
    workspace_mode: bool = False  # --workspace DIR: the key is always a file, never the keyring
    pair: str = ""  # a named pair's name (core.pairs); "" for the workspace folder itself

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> Workspace:
        root = Path(root).expanduser().resolve()
        return cls(root / "config.toml", root / "state.db", workspace_key_dir(root),
                   workspace_mode=True)

    @classmethod
    def default(cls, config: str | None = None) -> Workspace:
        cfg = Path(config) if config else (
            Path(platformdirs.user_config_dir("ml-connector")) / "config.toml")
        data = Path(platformdirs.user_data_dir("ml-connector"))
        keys = Path(platformdirs.user_config_dir("ml-connector-keys"))
        return cls(cfg, data / "state.db", keys)

    @classmethod
    def from_args(cls, workspace: str | None, config: str | None) -> Workspace:
        if workspace:
            ws = cls.at(workspace)
            return dataclasses.replace(ws, config_path=Path(config)) if config else ws
        return cls.default(config)

    def load(self) -> Settings:
        if not self.config_path.exists():
            raise ConfigError(
                f"no configuration at {self.config_path}: run `ml-connector init` first")
        return load_settings(self.config_path.read_text(encoding="utf-8"), str(self.config_path))

    def save(self, settings: Settings) -> None:
        """Write settings to config.toml: a new file in full, an existing one edited in place
        (comments, order and layout kept; only changed values rewritten)."""
        validate(settings)
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        if self.config_path.exists():
            text = updated_toml(self.config_path.read_text(encoding="utf-8"), settings,
                                Settings())
        else:
            text = dump_settings(settings)
        tmp = self.config_path.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.config_path)

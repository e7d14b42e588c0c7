"""The state schema. Names follow the accountant's words: orders, refunds, flagged SKUs.

Money is stored as TEXT and read back as Decimal; times are stored as ISO-8601 UTC text.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from peewee import (
    SQL,
    AutoField,
    BlobField,
    CharField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from core.clock import as_utc
from core.store.db import database
from core.store.dialect import FlagField
from core.store.states import DocState, JobStatus


class MoneyField(Field):
    """Decimal kept exactly, as text."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must not be a float")
        return str(Decimal(value))

    def python_value(self, value: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def utc_text(value: datetime | str) -> str:
    """The stored text of a UTC time: what UTCField writes, for hashes and raw-SQL cursors."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def utc_value(value: datetime | str) -> datetime:
    """A stored UTC time as a datetime. Raw selects (tuples, aggregates) can hand back the
    column's text instead of the converted value, so both are taken."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(UTC)
    return value


class UTCField(Field):
    """A timezone-aware UTC datetime kept as sortable ISO text
    (2026-11-27T14:03:11.000000+00:00)."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        return None if value is None else utc_text(value)

    def python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(UTC)


class JSONField(TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# --- documents ------------------------------------------------------------------------------

# Order / refund states and their moves: core.store.states.
ORDER_STATES = tuple(DocState)
HOLD_REASONS = ("sku", "gl", "customer", "totals", "status", "price", "tax", "changed",
                "invoice", "currency")


class Order(BaseModel):
    id = AutoField()
    woo_id = IntegerField(unique=True)
    number = CharField()
    status = CharField(index=True)  # WooCommerce status: processing, completed, ...
    customer_key = CharField(null=True, index=True)  # "id:12" or "guest:a@b.c"
    customer_name = CharField(null=True)
    total = MoneyField(null=True)
    currency = CharField(default="USD")
    payment_method = CharField(null=True)
    date_created_gmt = UTCField(null=True, index=True)
    date_paid_gmt = UTCField(null=True)
    modified_gmt = UTCField(null=True)  # WooCommerce's date_modified_gmt of `payload`
    payload = JSONField(null=True)  # latest snapshot: never replaced by an older one
    state = CharField(default=DocState.NEW, index=True)
    hold_reason = CharField(null=True, index=True)
    hold_detail = TextField(null=True)
    gp_doc_number = CharField(null=True, unique=True)  # recorded BEFORE the create call
    gp_batch = CharField(null=True)
    gp_customer_id = CharField(null=True)
    gp_total = MoneyField(null=True)
    attempts = IntegerField(default=0)
    next_attempt_at = UTCField(null=True)
    last_error = TextField(null=True)
    posted_at = UTCField(null=True)
    created_at = UTCField()
    updated_at = UTCField(index=True)
    # The last WooCommerce status change applied to the invoice (migration 3): the status and
    # its [posting] status_map action (hold, release, void, credit_memo, none). Business state
    # lives here; the audit trail records each change.
    status_applied = CharField(null=True)
    status_action = CharField(null=True)

    class Meta:
        indexes = ((("state", "updated_at", "id"), False), (("updated_at", "id"), False))


class OrderSku(BaseModel):
    """Which SKUs an order's lines carry: lets the console filter orders by SKU and list the
    orders waiting on a flagged SKU without parsing payloads."""

    id = AutoField()
    order = ForeignKeyField(Order, backref="skus", on_delete="CASCADE")
    order_id: int  # peewee's raw-id accessor for `order` (declared for the type checker)
    sku = CharField(index=True)  # "" when the line has no SKU
    product_name = CharField(null=True)

    class Meta:
        indexes = ((("order", "sku"), True),)


class Refund(BaseModel):
    id = AutoField()
    woo_id = IntegerField(unique=True)
    order = ForeignKeyField(Order, backref="refunds", on_delete="CASCADE")
    order_id: int  # peewee's raw-id accessor for `order` (declared for the type checker)
    amount = MoneyField()
    reason = TextField(null=True)
    restock = FlagField(default=False)
    payload = JSONField(null=True)
    date_created_gmt = UTCField(null=True, index=True)
    state = CharField(default=DocState.NEW, index=True)
    hold_reason = CharField(null=True)
    hold_detail = TextField(null=True)
    gp_doc_number = CharField(null=True, unique=True)
    gp_doc_type = CharField(null=True)  # "credit_memo" (RM) or "return" (SOP)
    gp_total = MoneyField(null=True)
    attempts = IntegerField(default=0)
    next_attempt_at = UTCField(null=True)
    last_error = TextField(null=True)
    posted_at = UTCField(null=True)
    created_at = UTCField()
    updated_at = UTCField(index=True)


# --- intake ---------------------------------------------------------------------------------


class WebhookDelivery(BaseModel):
    """Every POST to the receiver, kept raw so a 200 is never a lie."""

    id = AutoField()
    received_at = UTCField(index=True)
    topic = CharField(null=True)
    resource = CharField(null=True)
    event = CharField(null=True)
    webhook_id = CharField(null=True)
    delivery_id = CharField(null=True)
    source = CharField(null=True)
    verdict = CharField(index=True)  # accepted / ping / rejected
    reject_reason = CharField(null=True)
    body = BlobField(null=True)  # raw bytes as received (only for accepted deliveries)
    resource_id = IntegerField(null=True)
    processed_at = UTCField(null=True, index=True)
    error = TextField(null=True)


class PollCursor(BaseModel):
    """The poller's durable position per resource, in UTC."""

    name = CharField(primary_key=True)  # "orders", "products", "customers"
    cursor = UTCField(null=True)
    updated_at = UTCField()


# --- jobs -----------------------------------------------------------------------------------


class Job(BaseModel):
    """Durable, lease-based work queue (huey/litequeue style): the next run time lives on the
    row so backoff survives restarts; an expired lease is taken over by the next worker."""

    id = AutoField()
    kind = CharField()  # post_order, post_refund, status_change, sync_product, ...
    key = CharField()  # "order:123"
    group_key = CharField(null=True, index=True)  # one customer's documents in order
    status = CharField(default=JobStatus.QUEUED)
    attempts = IntegerField(default=0)
    run_at = UTCField()
    lease_owner = CharField(null=True)
    lease_expires_at = UTCField(null=True)
    last_error = TextField(null=True)
    rerun = FlagField(default=False)  # asked for again while leased: one more pass after
    created_at = UTCField()
    updated_at = UTCField()

    class Meta:
        indexes = (
            (("kind", "key"), True),
            (("status", "run_at"), False),
        )


# --- mapping --------------------------------------------------------------------------------


class CustomerLink(BaseModel):
    id = AutoField()
    woo_key = CharField(unique=True)  # "id:12", "guest:olivia@example.com", "shared"
    gp_customer_id = CharField(index=True)
    fingerprint = CharField(null=True)  # hash of what we last sent: skip the update when unchanged
    customer_class = CharField(null=True)
    updated_at = UTCField()


class SkuMap(BaseModel):
    """Explicit WooCommerce SKU -> GP item overrides (exact matches need no row). A mapping is
    for posting only unless `sync` says the accountant chose to sync this product with the item
    too (allowed only while no other product is synced with it: DESIGN §4 Products)."""

    id = AutoField()
    woo_sku = CharField(unique=True)
    gp_item = CharField()
    created_by = CharField()
    created_at = UTCField()
    # DEFAULT 0 in the table too: migration 5 adds the column to existing rows with it.
    sync = FlagField(default=False, constraints=[SQL("DEFAULT 0")])


class FlaggedSku(BaseModel):
    """An SKU GP does not know (or a line with no SKU: sku = "" + product id)."""

    id = AutoField()
    sku = CharField(unique=True)
    product_name = CharField(null=True)
    woo_product_id = IntegerField(null=True)
    first_seen_at = UTCField()
    resolved_at = UTCField(null=True, index=True)
    resolved_by = CharField(null=True)
    gp_item = CharField(null=True)


GL_ACCOUNT_KINDS = (
    "sales", "receivables", "freight", "misc", "discount", "tax", "rounding", "cash",
)
GL_SCOPES = ("company", "customer_class", "customer", "gateway", "tax_rate")


class GlMapping(BaseModel):
    """One account per (scope, scope key, kind); resolution: customer -> class -> company."""

    id = AutoField()
    scope = CharField()
    scope_key = CharField(default="")
    account_kind = CharField()
    account = CharField()
    updated_by = CharField()
    updated_at = UTCField()

    class Meta:
        indexes = ((("scope", "scope_key", "account_kind"), True),)


class Setting(BaseModel):
    """Console-editable settings that live with the data (rounding tolerance, ...)."""

    key = CharField(primary_key=True)
    value = JSONField()
    updated_by = CharField()
    updated_at = UTCField()


class GpItem(BaseModel):
    """Local copy of GP's item list, refreshed by the worker: the console searches it without
    touching the network."""

    item_number = CharField(primary_key=True)
    description = CharField(default="")
    price = MoneyField(null=True)
    quantity = MoneyField(null=True)
    refreshed_at = UTCField()


# --- products -------------------------------------------------------------------------------


class ProductLink(BaseModel):
    id = AutoField()
    sku = CharField(unique=True)
    woo_product_id = IntegerField()
    woo_variation_id = IntegerField(null=True)
    gp_item = CharField()
    base_name = TextField(null=True)
    base_price = MoneyField(null=True)
    base_quantity = MoneyField(null=True)
    woo_modified_gmt = UTCField(null=True)
    gp_modified_at = UTCField(null=True)
    last_synced_at = UTCField(null=True)
    updated_at = UTCField()


class ProductTask(BaseModel):
    """A conflict (both sides changed) or a change GP cannot take over the chosen route."""

    id = AutoField()
    link = ForeignKeyField(ProductLink, backref="tasks", on_delete="CASCADE")
    link_id: int  # peewee's raw-id accessor for `link` (declared for the type checker)
    kind = CharField()  # conflict / manual
    field = CharField()  # name / price / quantity
    base_value = TextField(null=True)
    woo_value = TextField(null=True)
    gp_value = TextField(null=True)
    status = CharField(default="open", index=True)
    resolution = CharField(null=True)  # woo / gp / done
    resolved_by = CharField(null=True)
    created_at = UTCField()
    resolved_at = UTCField(null=True)


# --- audit and worker -----------------------------------------------------------------------


class AuditEvent(BaseModel):
    """Append-only, hash-chained. Written in the same transaction as the change it records."""

    id = AutoField()
    at = UTCField()
    entity = CharField()  # order / refund / sku / gl / product / credentials / worker
    entity_id = CharField(null=True)
    kind = CharField()  # received, verified, mapped, held, posted, failed, replayed, ...
    actor = CharField()  # "worker@host", "console:alice", "cli:bob"
    message = TextField()
    data = JSONField(null=True)  # redacted excerpt
    prev_hash = CharField()
    hash = CharField(unique=True)

    class Meta:
        indexes = ((("entity", "entity_id", "id"), False),)


class WorkerLease(BaseModel):
    """One live worker per database: a heartbeat row any process can read."""

    name = CharField(primary_key=True)  # "worker"
    holder = CharField()  # host:pid:token
    host = CharField()
    pid = IntegerField()
    mode = CharField()  # headless / embedded
    started_at = UTCField()
    heartbeat_at = UTCField()
    expires_at = UTCField()
    status = JSONField(null=True)  # last poll, webhook health, ...


class Secret(BaseModel):
    """Encrypted credentials (core.secrets.vault). Values are Fernet tokens, never plaintext."""

    name = CharField(primary_key=True)  # "woocommerce.consumer_secret", "gp.password"
    token = BlobField()
    key_id = CharField()
    updated_at = UTCField()


ALL_MODELS: list[type[BaseModel]] = [
    Order, OrderSku, Refund, WebhookDelivery, PollCursor, Job, CustomerLink, SkuMap, FlaggedSku,
    GlMapping, Setting, GpItem, ProductLink, ProductTask, AuditEvent, WorkerLease, Secret,
]

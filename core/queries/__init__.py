"""Read-only questions the console (and `ml-connector status`) ask of the state database.

Every query here is cheap on 100,000 orders: it walks an index ((updated_at, id), state,
date_created_gmt, audit (entity, entity_id, id)) and reads the order payloads only when one order
was asked for. Nothing here writes; nothing here touches the network.
"""
from __future__ import annotations

from core.queries.dashboard import (
    INCOMING_STATES,
    Dashboard,
    WorkerStatus,
    attention_items,
    change_marker,
    dashboard,
    day_start,
    worker_status,
)
from core.queries.orders import (
    PAGE_SIZE,
    Cursor,
    OrderFilter,
    OrderPage,
    OrderRow,
    order_by_woo_id,
    order_page,
    order_refunds,
    order_skus,
    orders_by_id,
    search_items,
)
from core.queries.preview import DocumentPreview, gp_document_preview
from core.queries.problems import (
    ADVICE,
    ProblemRow,
    gl_rows,
    known_gateways,
    problem_counts,
    problems,
    recent_audit,
)
from core.store.states import POSTED_STATES

__all__ = [
    "ADVICE", "INCOMING_STATES", "PAGE_SIZE", "POSTED_STATES", "Cursor", "Dashboard",
    "DocumentPreview", "OrderFilter", "OrderPage", "OrderRow", "ProblemRow", "WorkerStatus",
    "attention_items", "change_marker", "dashboard", "day_start", "gl_rows",
    "gp_document_preview", "known_gateways", "order_by_woo_id", "order_page", "order_refunds",
    "order_skus", "orders_by_id", "problem_counts", "problems", "recent_audit", "search_items",
    "worker_status",
]

"""Stored shapes of products, variations, customers, coupons and webhooks, key order as emitted.

Each record is the resource as `GET /wc/v3/...` returns it, minus `_links` (added per request by
views.py, because the links carry the URL the client used).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from sandbox.woo.errors import ApiError
from sandbox.woo.wpjson import money

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded",
                  "failed", "trash", "checkout-draft", "auto-draft")
GATEWAYS = {"bacs": "Direct bank transfer", "cheque": "Check payments", "cod": "Cash on delivery",
            "stripe": "Credit Card (Stripe)", "ppcp": "PayPal"}
REFUND_GATEWAYS = {"stripe", "ppcp"}  # gateways that can move money back (api_refund)

BILLING_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state",
                "postcode", "country", "email", "phone")
SHIPPING_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state",
                 "postcode", "country", "phone")
# Customers emit their addresses in a different key order than orders do (real quirk).
CUST_BILLING_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city",
                     "postcode", "country", "state", "email", "phone")
CUST_SHIPPING_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city",
                      "postcode", "country", "state", "phone")

WEBHOOK_HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
    "customer.created": ["user_register", "woocommerce_created_customer",
                         "woocommerce_new_customer"],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "product.created": ["woocommerce_process_product_meta", "woocommerce_new_product",
                        "woocommerce_new_product_variation"],
    "product.updated": ["woocommerce_process_product_meta", "woocommerce_update_product",
                        "woocommerce_update_product_variation"],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def address(src: dict[str, Any] | None, keys: tuple[str, ...],
            base: dict[str, Any] | None = None) -> dict[str, str]:
    """Merge a partial address into `base` (Woo keeps fields not sent), in `keys` order."""
    src, base = src or {}, base or {}
    return {k: str(src.get(k, base.get(k, "")) or "") for k in keys}


def price_html(price: str) -> str:
    if not price:
        return ""
    return ('<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-'
            f'Price-currencySymbol">&#36;</span>{price}</bdi></span>')


def product_record(*, pid: int, name: str, sku: str, ptype: str, regular_price: str,
                   sale_price: str = "", stock: int | None, manage_stock: bool,
                   category: dict[str, Any] | None, dates: tuple[str, str],
                   parent_id: int = 0, attributes: list[dict[str, Any]] | None = None,
                   default_attributes: list[dict[str, Any]] | None = None,
                   variations: list[int] | None = None, home: str = "",
                   permalink_suffix: str = "") -> dict[str, Any]:
    """A product (or a variation seen through /products/{id}), shaped like products-get-*."""
    price = sale_price or regular_price
    slug = slugify(name)
    stock_status = "instock" if (stock is None or stock > 0) else "outofstock"
    return {
        "id": pid, "name": name, "slug": slug,
        "permalink": f"{home}/product/{slug}/{permalink_suffix}",
        "date_created": dates[0], "date_created_gmt": dates[1],
        "date_modified": dates[0], "date_modified_gmt": dates[1],
        "type": ptype, "status": "publish", "featured": False, "catalog_visibility": "visible",
        "description": "" if ptype != "simple" else f"<p>{name}.</p>\n",
        "short_description": "", "sku": sku, "price": price,
        "regular_price": regular_price if ptype != "variable" else "", "sale_price": sale_price,
        "date_on_sale_from": None, "date_on_sale_from_gmt": None, "date_on_sale_to": None,
        "date_on_sale_to_gmt": None, "on_sale": bool(sale_price), "purchasable": bool(price),
        "total_sales": 0 if ptype != "variation" else "0", "virtual": False,
        "downloadable": False, "downloads": [], "download_limit": -1, "download_expiry": -1,
        "external_url": "", "button_text": "", "tax_status": "taxable", "tax_class": "",
        "manage_stock": manage_stock, "stock_quantity": stock if manage_stock else None,
        "backorders": "no", "backorders_allowed": False, "backordered": False,
        "low_stock_amount": None, "sold_individually": False, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_required": True,
        "shipping_taxable": True, "shipping_class": "", "shipping_class_id": 0,
        "reviews_allowed": ptype != "variation", "average_rating": "0.00", "rating_count": 0,
        "upsell_ids": [], "cross_sell_ids": [], "parent_id": parent_id, "purchase_note": "",
        "categories": [category] if category else [], "brands": [], "tags": [], "images": [],
        "attributes": attributes or [], "default_attributes": default_attributes or [],
        "variations": variations or [], "grouped_products": [], "menu_order": 0,
        "price_html": price_html(price), "related_ids": [], "meta_data": [],
        "stock_status": stock_status, "has_options": ptype == "variable",
        "post_password": "", "global_unique_id": "",
    }


def variation_view(rec: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """The /products/{pid}/variations/{vid} shape of a stored variation record."""
    attrs = [{"id": a["id"], "name": a["name"], "slug": a["slug"], "option": a["option"]}
             for a in rec["attributes"]]
    return {
        "id": rec["id"], "type": "variation", "date_created": rec["date_created"],
        "date_created_gmt": rec["date_created_gmt"], "date_modified": rec["date_modified"],
        "date_modified_gmt": rec["date_modified_gmt"], "description": "",
        "permalink": rec["permalink"], "sku": rec["sku"], "global_unique_id": "",
        "price": rec["price"], "regular_price": rec["regular_price"],
        "sale_price": rec["sale_price"], "date_on_sale_from": None,
        "date_on_sale_from_gmt": None, "date_on_sale_to": None, "date_on_sale_to_gmt": None,
        "on_sale": rec["on_sale"], "status": "publish", "purchasable": rec["purchasable"],
        "virtual": False, "downloadable": False, "downloads": [], "download_limit": -1,
        "download_expiry": -1, "tax_status": "taxable", "tax_class": "parent",
        "manage_stock": rec["manage_stock"], "stock_quantity": rec["stock_quantity"],
        "stock_status": rec["stock_status"], "backorders": "no", "backorders_allowed": False,
        "backordered": False, "low_stock_amount": None, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "",
        "shipping_class_id": 0, "image": None, "attributes": attrs, "menu_order": 0,
        "meta_data": [], "name": ", ".join(a["option"] for a in attrs) or parent["name"],
        "parent_id": rec["parent_id"],
    }


def customer_record(*, cid: int, email: str, first: str, last: str, username: str,
                    billing: dict[str, Any], shipping: dict[str, Any],
                    dates: tuple[str, str], role: str = "customer") -> dict[str, Any]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return {
        "id": cid, "date_created": dates[0], "date_created_gmt": dates[1],
        "date_modified": dates[0], "date_modified_gmt": dates[1], "email": email,
        "first_name": first, "last_name": last, "role": role, "username": username,
        "billing": address(billing, CUST_BILLING_KEYS),
        "shipping": address(shipping, CUST_SHIPPING_KEYS),
        "is_paying_customer": False,
        "avatar_url": f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g",
        "meta_data": [],
    }


def coupon_record(*, cid: int, code: str, discount_type: str, amount: str,
                  dates: tuple[str, str]) -> dict[str, Any]:
    return {
        "id": cid, "code": code, "amount": money(amount), "status": "publish",
        "date_created": dates[0], "date_created_gmt": dates[1], "date_modified": dates[0],
        "date_modified_gmt": dates[1], "discount_type": discount_type, "description": "",
        "date_expires": None, "date_expires_gmt": None, "usage_count": 0,
        "individual_use": False, "product_ids": [], "excluded_product_ids": [],
        "usage_limit": None, "usage_limit_per_user": None, "limit_usage_to_x_items": None,
        "free_shipping": False, "product_categories": [], "excluded_product_categories": [],
        "exclude_sale_items": False, "minimum_amount": "0.00", "maximum_amount": "0.00",
        "email_restrictions": [], "used_by": [], "meta_data": [],
    }


def webhook_record(*, wid: int, name: str, topic: str, delivery_url: str, status: str,
                   dates: tuple[str, str]) -> dict[str, Any]:
    resource, _, event = topic.partition(".")
    return {
        "id": wid, "name": name, "status": status, "topic": topic, "resource": resource,
        "event": event, "hooks": list(WEBHOOK_HOOKS.get(topic, [f"woocommerce_{event}"])),
        "delivery_url": delivery_url, "date_created": dates[0], "date_created_gmt": dates[1],
        # null until the first save after creation (real: the ping's success saves it)
        "date_modified": None, "date_modified_gmt": None,
    }


def valid_topic(topic: str) -> bool:
    if topic.startswith("action.") and len(topic) > 7:
        return True
    return topic in WEBHOOK_HOOKS


def require_status(value: Any, *, for_list: bool) -> None:
    """`status` enum validation with the real message."""
    allowed = (["any", "trash"] if for_list else []) + [
        "auto-draft", "pending", "processing", "on-hold", "completed", "cancelled", "refunded",
        "failed", "checkout-draft"]
    if value not in allowed:
        name = "status[0]" if for_list else "status"
        msg = f"{name} is not one of {', '.join(allowed[:-1])}, and {allowed[-1]}."
        raise ApiError.invalid_param("status", msg, "rest_not_in_enum")

"""The seeded store's catalogue, shared by the WooCommerce and GP stand-ins.

Pure data and tiny helpers: both stand-ins derive their starting state from this module, so the
demo's Woo SKUs line up with GP item numbers (except the ones deliberately missing, which exercise
the connector's "unknown SKU" path). Nothing here is random; the lists are written out or derived
by fixed rules so every run and every test sees the same shop.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

# --- products -------------------------------------------------------------------------------

# (sku, name, regular_price, stock_quantity, category) for simple products.
# Exactly one simple product has no SKU: shops do that, and the connector must flag it.
_SIMPLE: list[tuple[str, str, str, int, str]] = [
    ("CAP-CANVAS-NVY", "Canvas Cap, Navy", "18.00", 64, "Accessories"),
    ("CAP-WOOL-GRY", "Wool Cap, Grey", "24.00", 40, "Accessories"),
    ("SCARF-MERINO-RED", "Merino Scarf, Red", "39.00", 25, "Accessories"),
    ("BELT-LEATHER-BRN", "Leather Belt, Brown", "45.00", 30, "Accessories"),
    ("SOCKS-3PK-WHT", "Cotton Socks 3-Pack, White", "12.50", 150, "Accessories"),
    ("TOTE-CANVAS-NAT", "Canvas Tote, Natural", "22.00", 80, "Accessories"),
    ("MUG-STONE-12OZ", "Stoneware Mug 12 oz", "16.00", 120, "Kitchen"),
    ("MUG-STONE-16OZ", "Stoneware Mug 16 oz", "18.00", 90, "Kitchen"),
    ("BOWL-CERAMIC-SET4", "Ceramic Bowls, Set of 4", "48.00", 35, "Kitchen"),
    ("PLATE-DINNER-SET4", "Dinner Plates, Set of 4", "56.00", 28, "Kitchen"),
    ("TOWEL-TEA-LINEN", "Linen Tea Towel", "14.00", 110, "Kitchen"),
    ("APRON-DENIM", "Denim Apron", "32.00", 45, "Kitchen"),
    ("BOARD-OAK-LG", "Oak Cutting Board, Large", "68.00", 20, "Kitchen"),
    ("CANDLE-CEDAR-8OZ", "Cedar Candle 8 oz", "26.00", 75, "Home"),
    ("CANDLE-FIG-8OZ", "Fig Candle 8 oz", "26.00", 60, "Home"),
    ("VASE-GLASS-TALL", "Glass Vase, Tall", "42.00", 18, "Home"),
    ("PILLOW-LINEN-18", "Linen Pillow Cover 18 in", "34.00", 55, "Home"),
    ("THROW-WOOL-GRY", "Wool Throw, Grey", "129.00", 12, "Home"),
    ("RUG-JUTE-2X3", "Jute Rug 2x3 ft", "59.00", 22, "Home"),
    ("BASKET-SEAGRASS-M", "Seagrass Basket, Medium", "38.00", 33, "Home"),
    ("FRAME-OAK-8X10", "Oak Picture Frame 8x10", "29.00", 47, "Home"),
    ("LAMP-CERAMIC-WHT", "Ceramic Table Lamp, White", "89.00", 9, "Home"),
    ("", "Gift Wrapping", "5.00", 999, "Services"),
]

# (parent_sku, name, category, {attribute: [values]}, base_price, price_step_per_value, stock)
# Variation SKUs are "<PARENT>-<VALUE...>" in upper case, e.g. "TEE-BLU-M".
_SML = ["S", "M", "L"]
_SMLX = ["S", "M", "L", "XL"]
_VARIABLE: list[tuple[str, str, str, dict[str, list[str]], str, str, int]] = [
    ("TEE-BLU", "Organic Tee, Blue", "Clothing", {"Size": _SMLX}, "24.00", "0.00", 40),
    ("TEE-BLK", "Organic Tee, Black", "Clothing", {"Size": _SMLX}, "24.00", "0.00", 36),
    ("TEE-WHT", "Organic Tee, White", "Clothing", {"Size": _SML}, "22.00", "0.00", 50),
    ("HOODIE-GRY", "Fleece Hoodie, Grey", "Clothing", {"Size": _SMLX}, "58.00", "2.00", 20),
    ("JEANS-SLIM", "Slim Jeans", "Clothing",
     {"Waist": ["30", "32", "34", "36"]}, "79.00", "0.00", 15),
    ("SWEATER-WOOL", "Wool Sweater", "Clothing",
     {"Size": ["M", "L"], "Color": ["NVY", "OAT"]}, "98.00", "0.00", 10),
    ("SHIRT-OXF", "Oxford Shirt", "Clothing", {"Size": _SML}, "54.00", "0.00", 25),
    ("DRESS-LINEN", "Linen Dress", "Clothing",
     {"Size": ["XS", "S", "M", "L"]}, "110.00", "0.00", 8),
    ("SHEET-PERCALE", "Percale Sheet Set", "Home",
     {"Bed": ["TWIN", "QUEEN", "KING"]}, "89.00", "20.00", 14),
    ("DUVET-COTTON", "Cotton Duvet Cover", "Home",
     {"Bed": ["QUEEN", "KING"]}, "139.00", "20.00", 11),
]


def _variations(parent: str, attrs: dict[str, list[str]], base: str, step: str,
                stock: int) -> list[dict[str, Any]]:
    """Cartesian product of the attribute values, in a fixed order, with stepped prices."""
    combos: list[dict[str, str]] = [{}]
    for name, values in attrs.items():
        combos = [{**c, name: v} for c in combos for v in values]
    out: list[dict[str, Any]] = []
    for i, combo in enumerate(combos):
        price = Decimal(base) + Decimal(step) * i
        out.append({
            "sku": "-".join([parent, *combo.values()]).upper(),
            "attributes": dict(combo),
            "regular_price": f"{price:.2f}",
            # Fixed, varied stock so some variations run low before others.
            "stock_quantity": max(0, stock - 3 * i),
        })
    return out


def _build_products() -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = []
    for sku, name, price, stock, category in _SIMPLE:
        products.append({"sku": sku, "name": name, "regular_price": price,
                         "stock_quantity": stock, "type": "simple", "category": category})
    for parent, name, category, attrs, base, step, stock in _VARIABLE:
        variations = _variations(parent, attrs, base, step, stock)
        products.append({
            "sku": parent, "name": name, "regular_price": base,
            "stock_quantity": sum(v["stock_quantity"] for v in variations),
            "type": "variable", "category": category, "variations": variations,
        })
    return products


PRODUCTS: list[dict[str, Any]] = _build_products()

# Deliberately absent from GP: one simple SKU, one variation SKU, and a whole-parent-less case
# so the connector's "flag the line, hold the order" path is exercised by the demo.
GP_MISSING_SKUS: frozenset[str] = frozenset({"LAMP-CERAMIC-WHT", "TEE-BLU-XL", "DRESS-LINEN-XS"})

_CLASS_BY_CATEGORY = {"Clothing": "APPAREL", "Accessories": "ACCESSORY", "Kitchen": "KITCHEN",
                      "Home": "HOMEGOODS", "Services": "SERVICE"}


def sellable_skus() -> list[tuple[str, str, str, int, str]]:
    """(sku, description, price, stock, category) for every sellable SKU: simple + variations."""
    out: list[tuple[str, str, str, int, str]] = []
    for p in PRODUCTS:
        if p["type"] == "simple":
            out.append((p["sku"], p["name"], p["regular_price"], p["stock_quantity"],
                        p["category"]))
        else:
            for v in p["variations"]:
                label = " / ".join(v["attributes"].values())
                out.append((v["sku"], f"{p['name']} - {label}", v["regular_price"],
                            v["stock_quantity"], p["category"]))
    return out


def gp_items() -> list[dict[str, Any]]:
    """What GP holds: one item per simple and variation SKU, minus the missing and SKU-less ones."""
    items: list[dict[str, Any]] = []
    for sku, description, price, stock, category in sellable_skus():
        if not sku or sku in GP_MISSING_SKUS:
            continue
        items.append({
            "item_number": sku.upper()[:30],
            "description": description[:100],
            "price": price,
            "quantity_on_hand": stock,
            "site": "MAIN",
            "class_id": _CLASS_BY_CATEGORY[category],
        })
    return items


# --- customers ------------------------------------------------------------------------------

# (first, last, company, street, city, state, postcode); ids start at 2 (1 is the shop admin).
_PEOPLE: list[tuple[str, str, str, str, str, str, str]] = [
    ("Ava", "Martinez", "", "412 Alder St", "Portland", "OR", "97205"),
    ("Liam", "Chen", "Chen Design LLC", "88 Pine Ave", "Seattle", "WA", "98101"),
    ("Olivia", "Johnson", "", "1500 Elm Rd", "Austin", "TX", "78701"),
    ("Noah", "Williams", "", "23 Birch Ln", "Denver", "CO", "80202"),
    ("Emma", "Brown", "Brown & Co Interiors", "7 Harbor Way", "Boston", "MA", "02110"),
    ("Elijah", "Davis", "", "940 Maple Dr", "Chicago", "IL", "60601"),
    ("Sophia", "Garcia", "", "310 Cedar Ct", "Phoenix", "AZ", "85004"),
    ("James", "Miller", "Miller Hospitality", "55 Ocean Blvd", "San Diego", "CA", "92101"),
    ("Isabella", "Wilson", "", "18 Spruce St", "Minneapolis", "MN", "55401"),
    ("Benjamin", "Moore", "", "600 Walnut St", "Philadelphia", "PA", "19106"),
    ("Mia", "Taylor", "", "71 Magnolia Ave", "Atlanta", "GA", "30303"),
    ("Lucas", "Anderson", "Anderson Outfitters", "2 River Rd", "Boise", "ID", "83702"),
    ("Charlotte", "Thomas", "", "145 Sunset Blvd", "Los Angeles", "CA", "90028"),
    ("Henry", "Jackson", "", "9 Peachtree Pl", "Savannah", "GA", "31401"),
    ("Amelia", "White", "", "301 Lake Shore Dr", "Madison", "WI", "53703"),
    ("Alexander", "Harris", "Harris Home Staging", "44 Vine St", "Nashville", "TN", "37203"),
    ("Harper", "Martin", "", "820 Aspen Way", "Salt Lake City", "UT", "84101"),
    ("Daniel", "Thompson", "", "12 Bay St", "Charleston", "SC", "29401"),
    ("Evelyn", "Lee", "", "5 Orchard Ln", "Burlington", "VT", "05401"),
    ("Matthew", "Walker", "Walker Cafe Supply", "230 Main St", "Richmond", "VA", "23219"),
    ("Abigail", "Hall", "", "67 Palm Ave", "Miami", "FL", "33130"),
    ("Sebastian", "Young", "", "401 Canyon Rd", "Santa Fe", "NM", "87501"),
]


def _address(first: str, last: str, company: str, street: str, city: str, state: str,
             postcode: str) -> dict[str, str]:
    return {"first_name": first, "last_name": last, "company": company, "address_1": street,
            "address_2": "", "city": city, "state": state, "postcode": postcode, "country": "US"}


def _build_customers() -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    for i, (first, last, company, street, city, state, postcode) in enumerate(_PEOPLE):
        billing = {**_address(first, last, company, street, city, state, postcode),
                   "email": f"{first}.{last}@example.com".lower(),
                   "phone": f"555-01{i:02d}"}
        # Every fourth customer ships somewhere else (an office), which the connector must keep.
        if i % 4 == 3:
            office = company or f"{last} Office"
            shipping = {**_address(first, last, office, f"{100 + i} Commerce St",
                                   city, state, postcode), "phone": ""}
        else:
            shipping = {**_address(first, last, company, street, city, state, postcode),
                        "phone": ""}
        customers.append({
            "id": i + 2, "email": billing["email"], "first_name": first, "last_name": last,
            "username": f"{first}{last[0]}".lower(), "billing": billing, "shipping": shipping,
        })
    return customers


CUSTOMERS: list[dict[str, Any]] = _build_customers()

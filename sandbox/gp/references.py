"""Setup rows a document refers to must exist (gp.md §22 "Setup rows must exist").

Each check finds the row as SQL Server would (Store.find_reference: trailing spaces and, by
default, case ignored) and answers with GP's own spelling of the id, or records a validation
error naming GP's table. Where eConnect's number and text are published (gp.md §21: 716 for GL
accounts, 7023 for tax schedules) they are GP's; the other texts are the stand-in's, written in
eConnect's "<field> (<column>) does not exist in <table>" manner, and /help says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.gp.faults import econnect
from sandbox.gp.rules import Errors
from sandbox.gp.store import Store

# kind -> (what, GP column, GP table) for the stand-in's wording.
_TABLES = {
    "payment_card_type": ("Payment Card Type", "CARDNAME", "the Payment Card Master - SY03100"),
    "checkbook": ("Checkbook ID", "CHEKBKID", "the Checkbook Master - CM00100"),
    "process_hold": ("Process Hold ID", "PRCHLDID", "the Process Hold Setup - SOP00100"),
    "tax_detail": ("Tax Detail ID", "TAXDTLID", "the Sales/Purchases Tax Master - TX00201"),
    "site": ("Site ID", "LOCNCODE", "the Site Setup - IV40700"),
    "price_level": ("Price Level", "PRCLEVEL", "the Price Level Setup - IV40800"),
    "uofm_schedule": ("U of M Schedule", "UOMSCHDL", "the U of M Schedule Setup - IV40201"),
    "sop_doc_type": ("Document ID", "DOCID", "the Sales Document Setup - SOP40200"),
}


@dataclass
class References:
    store: Store
    errors: Errors

    def find(self, kind: str, key: str | None, prop: str) -> str | None:
        """GP's id for `key`, or None (with an error recorded) when GP holds no such row."""
        if key is None:
            return None
        found = self.store.find_reference(kind, key)
        if found is not None:
            return found[0]
        what, column, table = _TABLES[kind]
        self.errors.add(f"The {what} ({column}) '{key}' does not exist in {table}", prop)
        return None

    def account(self, key: str | None, prop: str, proc: str) -> str | None:
        found = self.store.find_reference("gl_account", key) if key else None
        if found is None or not found[1].get("active", True):
            self.errors.add_item(econnect(716, proc, "Account does not exist for Account Number "
                                          "String (ACTNUMST) passed", [prop]))
            return None
        return found[0]

    def tax_schedule(self, key: str | None, prop: str, proc: str) -> str | None:
        if key is None:
            return None
        found = self.store.find_reference("tax_schedule", key)
        if found is None:
            self.errors.add_item(econnect(7023, proc, "The Tax Schedule ID entered (TAXSCHID) "
                                          "does not exist in the Sales Tax master table - "
                                          "TX00101", [prop]))
            return None
        return found[0]

    def uofm(self, item: dict[str, object], uofm: str, prop: str) -> str | None:
        """The unit must be in the item's U of M schedule (IV40202)."""
        schedule = self.store.find_reference("uofm_schedule", str(item.get("uofm_schedule", "")))
        units = [str(u) for u in (schedule[1].get("units", []) if schedule else [])]
        match = [u for u in units if self.store.same_key(u, uofm)]
        if not match:
            self.errors.add(f"The U of M (UOFM) '{uofm}' does not exist in the U of M schedule "
                            f"'{item.get('uofm_schedule', '')}' of item '{item.get('id')}' - "
                            "IV40202", prop)
            return None
        return match[0]

"""What one product sync pass did, for the worker's log, the bench and the tests."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SyncReport:
    full_scan: bool = False
    dry_run: bool = False
    woo_entries: int = 0  # simple products + variations read
    gp_items: int = 0  # GP items read
    linked: int = 0  # links considered this pass
    unknown_skus: list[str] = field(default_factory=list)  # WooCommerce SKUs GP lacks
    to_woo: int = 0  # links written to WooCommerce
    to_gp: int = 0  # links changed in GP (item updates + adjustment lines)
    adjustments: list[str] = field(default_factory=list)  # GP inventory adjustment numbers
    adopted: int = 0  # links whose base moved because both sides agree
    conflicts: int = 0  # new conflicts opened
    manual: int = 0  # new manual tasks opened
    applied: int = 0  # resolved tasks written this pass
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sku, why)
    woo_batch_calls: int = 0
    gp_write_calls: int = 0
    would: list[str] = field(default_factory=list)  # dry run: what would be written
    awaiting_approval: str = ""  # why this pass wrote nothing and waits for the accountant

    def __str__(self) -> str:
        parts = [f"{'full scan' if self.full_scan else 'changes'}: {self.linked} linked",
                 f"{self.to_woo} to WooCommerce ({self.woo_batch_calls} batch calls)",
                 f"{self.to_gp} to GP ({len(self.adjustments)} adjustments)"]
        if self.adopted:
            parts.append(f"{self.adopted} agreed")
        if self.conflicts or self.manual:
            parts.append(f"{self.conflicts} conflicts, {self.manual} manual tasks")
        if self.failed:
            parts.append(f"{len(self.failed)} failed (first: {self.failed[0][0]}: "
                         f"{self.failed[0][1]})")
        if self.unknown_skus:
            parts.append(f"{len(self.unknown_skus)} SKUs not in GP")
        if self.awaiting_approval:
            parts.append(f"WAITING FOR APPROVAL, nothing written: {self.awaiting_approval}")
        if self.dry_run:
            parts.append("dry run: nothing written")
        return ", ".join(parts)

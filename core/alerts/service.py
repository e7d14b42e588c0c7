"""The alert service: evaluate, record, send — run by the worker every `check_interval_s`, and
by `ml-connector alerts check` (cron / a systemd timer) where no worker may be alive to do it.

Sending happens outside any database transaction; each delivered notice is marked in the ledger
right after, so a crash between the two repeats at most that one notice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.alerts import ledger
from core.alerts.channels import Channel, ChannelError, Message, build_channels
from core.alerts.conditions import Condition, evaluate
from core.alerts.digest import Reconciler, build_digest, store_yesterday, stored_reconciler
from core.alerts.snapshot import read_snapshot
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.store.audit import verify_chain

log = logging.getLogger("ml_connector.alerts")

AUDIT_CHECK_EVERY = timedelta(hours=6)  # the chain walk reads every event: not every minute
DIGEST_KEY = "digest"


@dataclass
class CheckResult:
    conditions: list[Condition] = field(default_factory=list)
    sent: list[ledger.Notice] = field(default_factory=list)
    failed: list[tuple[ledger.Notice, str]] = field(default_factory=list)
    digest_sent: date | None = None


def notice_message(n: ledger.Notice, shop: str) -> Message:
    return Message(n.subject, f"{n.text}\n\n(ml-connector {shop}, condition {n.key})".rstrip(),
                   {"type": "alert", "state": n.kind, "condition": n.key,
                    "severity": n.severity, "title": n.title, "text": n.text,
                    "figures": n.figures, "at": n.at.isoformat(timespec="seconds"),
                    "shop": shop})


class AlertService:
    def __init__(self, settings: Settings, channels: list[Channel], *,
                 reconciler: Reconciler, clock: Clock = SYSTEM_CLOCK,
                 facts: Callable[[], dict[str, Any]] | None = None) -> None:
        self.settings = settings
        self.channels = channels
        self.reconciler = reconciler
        self.clock = clock
        self.facts = facts or (lambda: {})  # what only the caller knows (GP down since, ...)
        self._audit_checked_at: datetime | None = None
        self._audit_broken = ""
        self._recon: tuple[date, str, int] | None = None

    @property
    def shop(self) -> str:
        return self.settings.woocommerce.url

    @property
    def timezone(self) -> str:
        return self.settings.worker.schedule.timezone

    # --- the inputs only this service computes -------------------------------------------

    def _audit(self, now: datetime) -> str:
        if self._audit_checked_at is None or now - self._audit_checked_at >= AUDIT_CHECK_EVERY:
            report = verify_chain()
            self._audit_checked_at = now
            self._audit_broken = ("" if report.ok else
                                  f"audit event {report.first_bad_id}: {report.problem}")
        return self._audit_broken

    def _reconciliation(self, now: datetime) -> dict[str, Any]:
        day = store_yesterday(now, self.timezone)
        if self._recon is None or self._recon[0] != day:
            total = self.reconciler(day, day, self.timezone).total()
            self._recon = (day, f"{total.difference:.2f}", total.count_difference)
        _, diff, count = self._recon
        if diff in ("0.00", "-0.00") and not count:
            return {}
        return {"recon_day": day.isoformat(), "recon_difference": diff,
                "recon_count_difference": count}

    # --- one check -----------------------------------------------------------------------

    def check(self, **extra: Any) -> CheckResult:
        """Evaluate the conditions, record them, send what is due; then the digest if due."""
        now = self.clock.now()
        facts = {**self.facts(), **extra}
        facts.setdefault("audit_broken", self._audit(now))
        facts.update(self._reconciliation(now))
        snapshot = read_snapshot(self.clock, **facts)
        result = CheckResult(conditions=evaluate(snapshot, self.settings.alerts))
        ledger.update(result.conditions, now)
        self.deliver(result, now)
        result.digest_sent = self.digest_if_due(now)
        return result

    def deliver(self, result: CheckResult, now: datetime) -> None:
        by_name = {c.name: c for c in self.channels}
        reminder = timedelta(hours=self.settings.alerts.reminder_hours)
        for notice in ledger.plan(list(by_name), now, reminder):
            try:
                by_name[notice.channel].send(notice_message(notice, self.shop))
            except ChannelError as exc:
                log.warning("alert %s (%s) not delivered by %s: %s; tried again at the next "
                            "check", notice.key, notice.kind, notice.channel, exc)
                result.failed.append((notice, str(exc)))
                continue
            ledger.mark_sent(notice, now)
            result.sent.append(notice)
            log.info("alert %s: %s sent by %s", notice.key, notice.kind, notice.channel)

    def digest_if_due(self, now: datetime) -> date | None:
        at = self.settings.alerts.digest_at
        if not at or not self.channels:
            return None
        local = now.astimezone(ZoneInfo(self.timezone))
        hh, mm = (int(x) for x in at.split(":"))
        if (local.hour, local.minute) < (hh, mm):
            return None
        day = store_yesterday(now, self.timezone)
        row = ledger.AlertRecord.get_or_none(ledger.AlertRecord.key == DIGEST_KEY)
        told = (row.notified or {}) if row else {}
        pending = [c for c in self.channels if told.get(c.name, {}).get("day") != day.isoformat()]
        if not pending:
            return None
        digest = build_digest(day, self.timezone, self.reconciler, clock=self.clock)
        message = Message(digest.subject, digest.text, digest.payload())
        sent_any = False
        for channel in pending:
            try:
                channel.send(message)
            except ChannelError as exc:
                log.warning("daily digest not delivered by %s: %s", channel.name, exc)
                continue
            ledger.mark_digest(channel.name, day, now)
            sent_any = True
        return day if sent_any else None

    def send_test(self) -> list[tuple[str, str]]:
        """`ml-connector alerts test`: one message through each channel; (channel, outcome)."""
        now = self.clock.now()
        message = Message(
            "Test alert: the channel works",
            f"This is a test from ml-connector for {self.shop} at {now:%Y-%m-%d %H:%M} UTC. "
            "Nothing needs doing.",
            {"type": "test", "at": now.isoformat(timespec="seconds"), "shop": self.shop,
             "text": "This is a test from ml-connector. Nothing needs doing."})
        out = []
        for channel in self.channels:
            try:
                channel.send(message)
                out.append((channel.name, "sent"))
            except ChannelError as exc:
                out.append((channel.name, f"FAILED: {exc}"))
        return out

    def report_lease_lost(self, holder: str) -> CheckResult:
        """The worker lost its lease: say so now (it is about to exit 5)."""
        return self.check(lease_lost_by=holder)


def build_alert_service(settings: Settings, vault: Any, *, clock: Clock = SYSTEM_CLOCK,
                        facts: Callable[[], dict[str, Any]] | None = None) -> AlertService:
    """The service with the channels configured in [alerts] and their secrets from the vault;
    yesterday's figures from the stored reconciliation."""
    return AlertService(
        settings, build_channels(settings.alerts, vault.get, shop=settings.woocommerce.url),
        reconciler=stored_reconciler(tuple(settings.posting.eligible_statuses)), clock=clock,
        facts=facts)

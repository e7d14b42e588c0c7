"""The alert ledger: which conditions were raised, and which channel has been told what.

One row per condition key. `epoch` grows each time the condition is raised anew, and each
channel's entry in `notified` records the epoch it was told about, when, and whether it has been
told the condition is resolved. From that, `plan()` decides exactly what to send:
- a condition new to a channel -> "raised" (once per epoch);
- still true, last told `reminder_hours` ago or more -> "reminder";
- no longer true, the channel was told of this epoch and not yet of its end -> "resolved" (once).
A channel that fails keeps its old entry, so the same notice is planned again next time, and
channels that succeeded are not told twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import CharField, IntegerField, TextField

from core.alerts.conditions import Condition
from core.store.db import database
from core.store.dialect import FlagField
from core.store.models import BaseModel, JSONField, UTCField


class AlertRecord(BaseModel):
    key = CharField(primary_key=True)
    active = FlagField(default=False)
    epoch = IntegerField(default=0)
    severity = CharField(default="warning")
    title = TextField(default="")
    detail = TextField(default="")
    figures = JSONField(null=True)
    raised_at = UTCField(null=True)
    resolved_at = UTCField(null=True)
    notified = JSONField(null=True)  # channel -> {"epoch", "at", "resolved"}

    class Meta:
        table_name = "alert"


@dataclass(frozen=True)
class Notice:
    kind: str  # raised | reminder | resolved
    channel: str
    key: str
    epoch: int
    severity: str
    title: str
    detail: str
    figures: dict[str, Any]
    at: datetime

    @property
    def subject(self) -> str:
        prefix = {"raised": "", "reminder": "Still: ", "resolved": "Resolved: "}[self.kind]
        return f"{prefix}{self.title}"

    @property
    def text(self) -> str:
        if self.kind == "resolved":
            return (f"Resolved at {self.at:%Y-%m-%d %H:%M} UTC: {self.title}. Nothing more to "
                    "do for this one.")
        return self.detail


def update(conditions: list[Condition], now: datetime) -> None:
    """Record which conditions are true now (one transaction)."""
    current = {c.key: c for c in conditions}
    with database.atomic("IMMEDIATE"):
        rows = {r.key: r for r in AlertRecord.select().where(AlertRecord.key != "digest")}
        for key, c in current.items():
            row = rows.get(key)
            if row is None:
                AlertRecord.create(key=key, active=True, epoch=1, severity=c.severity,
                                   title=c.title, detail=c.detail, figures=c.figures,
                                   raised_at=now, notified={})
                continue
            fields: dict[str, Any] = dict(severity=c.severity, title=c.title, detail=c.detail,
                                          figures=c.figures)
            if not row.active:
                fields.update(active=True, epoch=row.epoch + 1, raised_at=now, resolved_at=None)
            AlertRecord.update(**fields).where(AlertRecord.key == key).execute()
        for key, row in rows.items():
            if row.active and key not in current:
                AlertRecord.update(active=False, resolved_at=now).where(
                    AlertRecord.key == key).execute()


def plan(channels: list[str], now: datetime, reminder: timedelta) -> list[Notice]:
    """What each channel must be told now."""
    out: list[Notice] = []
    for row in AlertRecord.select().where(AlertRecord.key != "digest").order_by(AlertRecord.key):
        told = row.notified or {}
        for ch in channels:
            st = told.get(ch)
            kind = None
            if row.active:
                if st is None or st.get("epoch") != row.epoch:
                    kind = "raised"
                elif now - datetime.fromisoformat(st["at"]) >= reminder:
                    kind = "reminder"
            elif st is not None and st.get("epoch") == row.epoch and not st.get("resolved"):
                kind = "resolved"
            if kind:
                out.append(Notice(kind, ch, row.key, row.epoch, row.severity, row.title,
                                  row.detail, dict(row.figures or {}),
                                  row.resolved_at if kind == "resolved" else now))
    return out


def mark_sent(notice: Notice, now: datetime) -> None:
    with database.atomic("IMMEDIATE"):
        row = AlertRecord.get_or_none(AlertRecord.key == notice.key)
        if row is None:
            return
        told = dict(row.notified or {})
        told[notice.channel] = {"epoch": notice.epoch, "at": now.isoformat(),
                                "resolved": notice.kind == "resolved"}
        AlertRecord.update(notified=told).where(AlertRecord.key == notice.key).execute()


def active() -> list[AlertRecord]:
    live = AlertRecord.active == True  # noqa: E712 (peewee builds SQL from ==)
    return list(AlertRecord.select().where(live).order_by(AlertRecord.key))


def mark_digest(channel: str, day: Any, now: datetime) -> None:
    """The digest for `day` reached `channel` (row "digest", never active)."""
    with database.atomic("IMMEDIATE"):
        row = AlertRecord.get_or_none(AlertRecord.key == "digest")
        told = dict(row.notified or {}) if row else {}
        told[channel] = {"day": day.isoformat(), "at": now.isoformat()}
        if row is None:
            AlertRecord.create(key="digest", active=False, epoch=0, title="daily digest",
                               detail="", notified=told)
        else:
            AlertRecord.update(notified=told).where(AlertRecord.key == "digest").execute()

"""`ml-connector alerts test|check|status|digest|secret`: the accountant's alerts and digest.

- `alerts test` sends one test message through every configured channel and says which worked.
- `alerts check` evaluates the conditions and sends what is due — for a cron job or a systemd
  timer, so someone hears about a worker that stopped. While a live worker holds the lease it
  does the sending itself, so `check` only reports unless `--force`.
- `alerts status` lists the conditions true now (from the ledger; no network).
- `alerts digest [--day D] [--send]` prints (or sends) the daily digest.
- `alerts secret email|webhook` stores the SMTP password or the webhook signing secret in the
  vault, from an environment variable, stdin or a no-echo prompt — never from the command line.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from core.alerts import ledger
from core.alerts.channels import ALERTS_SMTP_PASSWORD, ALERTS_WEBHOOK_SECRET, Message
from core.alerts.digest import build_digest, store_yesterday, stored_reconciler
from core.alerts.service import build_alert_service
from core.clock import SYSTEM_CLOCK
from core.errors import ConnectorError
from core.worker.lease import live_lease
from tui.commands.intake_common import actor, fail, interactive, load, read_secret


def register(sub: Any) -> None:
    p = sub.add_parser("alerts", help="alerts and the daily digest: test, check, status, digest",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    s = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    s.add_parser("test", help="send one test message through every channel").set_defaults(
        func=run_test)
    c = s.add_parser("check", help="evaluate the conditions now and send what is due")
    c.add_argument("--force", action="store_true",
                   help="send even while a live worker holds the lease (it normally does)")
    c.set_defaults(func=run_check)
    s.add_parser("status", help="the conditions true now").set_defaults(func=run_status)
    d = s.add_parser("digest", help="print the daily digest (or send it with --send)")
    d.add_argument("--day", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="the store day to report (default: yesterday in the store's time zone)")
    d.add_argument("--send", action="store_true", help="send it through every channel")
    d.set_defaults(func=run_digest)
    k = s.add_parser("secret", help="store the SMTP password or the webhook signing secret")
    k.add_argument("channel", choices=("email", "webhook"))
    k.add_argument("--env", metavar="VAR", help="read it from this environment variable")
    k.add_argument("--stdin", action="store_true", help="read it as one line of stdin")
    k.set_defaults(func=run_secret)


def run_test(args: argparse.Namespace) -> int:
    try:
        _, settings, vault = load(args)
        service = build_alert_service(settings, vault)
    except ConnectorError as exc:
        return fail("alerts test", exc)
    if not service.channels:
        print("No alert channel is configured: set [alerts.email] host/sender/to or "
              "[alerts.webhook] url in config.toml.", file=sys.stderr)
        return 2
    outcomes = service.send_test()
    for name, outcome in outcomes:
        print(f"{name}: {outcome}")
    return 0 if all(o == "sent" for _, o in outcomes) else 1


def run_check(args: argparse.Namespace) -> int:
    try:
        _, settings, vault = load(args)
        service = build_alert_service(settings, vault)
    except ConnectorError as exc:
        return fail("alerts check", exc)
    lease = live_lease(SYSTEM_CLOCK)
    if lease is not None and not args.force:
        service.channels = []  # the live worker sends; here we only report
        print(f"A live worker ({lease.describe()}) sends alerts; reporting only.")
    result = service.check()
    for c in result.conditions:
        print(f"{c.severity.upper():8} {c.title}")
    for n in result.sent:
        print(f"sent     {n.kind} {n.key} by {n.channel}")
    for n, why in result.failed:
        print(f"FAILED   {n.kind} {n.key} by {n.channel}: {why}")
    if not result.conditions:
        print("Nothing needs a person now.")
    return 1 if result.failed else 0


def run_status(args: argparse.Namespace) -> int:
    try:
        load(args)
    except ConnectorError as exc:
        return fail("alerts status", exc)
    rows = ledger.active()
    if not rows:
        print("No alert condition is active.")
    for r in rows:
        since = f"{r.raised_at:%Y-%m-%d %H:%M} UTC" if r.raised_at else "?"
        print(f"{r.severity.upper():8} {r.title} (since {since})\n         {r.detail}")
    return 1 if rows else 0


def run_digest(args: argparse.Namespace) -> int:
    try:
        _, settings, vault = load(args)
        service = build_alert_service(settings, vault)
    except ConnectorError as exc:
        return fail("alerts digest", exc)
    tz = settings.worker.schedule.timezone
    day = args.day or store_yesterday(SYSTEM_CLOCK.now(), tz)
    digest = build_digest(day, tz, stored_reconciler(tuple(settings.posting.eligible_statuses)))
    if not args.send:
        print(digest.text)
        return 0
    failed = 0
    for channel in service.channels:
        try:
            channel.send(Message(digest.subject, digest.text, digest.payload()))
            print(f"{channel.name}: sent")
        except ConnectorError as exc:
            failed += 1
            print(f"{channel.name}: FAILED: {exc}")
    return 1 if failed or not service.channels else 0


def run_secret(args: argparse.Namespace) -> int:
    try:
        _, _, vault = load(args)
        slot = ALERTS_SMTP_PASSWORD if args.channel == "email" else ALERTS_WEBHOOK_SECRET
        label = "SMTP password" if args.channel == "email" else "Webhook signing secret"
        value = read_secret(label, env_var=args.env, stdin=args.stdin, prompt=interactive())
        if not value:
            print(f"ml-connector alerts secret: no {label.lower()} given", file=sys.stderr)
            return 2
        vault.set(slot, value, actor())
    except ConnectorError as exc:
        return fail("alerts secret", exc)
    print(f"{label} stored encrypted (vault slot {slot}).")
    return 0

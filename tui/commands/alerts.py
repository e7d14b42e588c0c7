"""Alerts and the accountant's daily digest.

\b
- `alerts test` sends one test message through every configured channel and says which worked.
- `alerts check` evaluates the conditions and sends what is due: for a cron job or a systemd
  timer, so someone hears about a worker that stopped. While a live worker holds the lease it
  does the sending itself, so `check` only reports unless --force.
- `alerts status` lists the conditions true now (from the ledger; no network).
- `alerts digest [--day D] [--send]` prints (or sends) the daily digest.
- `alerts secret email|webhook` stores the SMTP password or the webhook signing secret in the
  vault, from an environment variable, stdin or a no-echo prompt, never from the command line.
"""
from __future__ import annotations

from datetime import date, datetime

import click

from core.alerts import ledger
from core.alerts.channels import ALERTS_SMTP_PASSWORD, ALERTS_WEBHOOK_SECRET, Message
from core.alerts.digest import build_digest, store_yesterday, stored_reconciler
from core.alerts.service import build_alert_service
from core.clock import SYSTEM_CLOCK
from core.errors import ConnectorError
from core.store.audit import actor
from core.worker.lease import live_lease
from tui.commands.common import CommandError, global_options, interactive, load, read_secret


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("test", help="Send one test message through every channel.")
@global_options()
def test() -> int:
    _, settings, vault = load()
    service = build_alert_service(settings, vault)
    if not service.channels:
        raise CommandError("no alert channel is configured: set [alerts.email] host/sender/to "
                           "or [alerts.webhook] url in config.toml")
    outcomes = service.send_test()
    for name, outcome in outcomes:
        click.echo(f"{name}: {outcome}")
    return 0 if all(o == "sent" for _, o in outcomes) else 1


@command.command("check", help="Evaluate the conditions now and send what is due.")
@global_options()
@click.option("--force", is_flag=True,
              help="send even while a live worker holds the lease (it normally sends)")
def check(force: bool) -> int:
    _, settings, vault = load()
    service = build_alert_service(settings, vault)
    lease = live_lease(SYSTEM_CLOCK)
    if lease is not None and not force:
        service.channels = []  # the live worker sends; here we only report
        click.echo(f"A live worker ({lease.describe()}) sends alerts; reporting only.")
    result = service.check()
    for c in result.conditions:
        click.echo(f"{c.severity.upper():8} {c.title}")
    for n in result.sent:
        click.echo(f"sent     {n.kind} {n.key} by {n.channel}")
    for n, why in result.failed:
        click.echo(f"FAILED   {n.kind} {n.key} by {n.channel}: {why}")
    if not result.conditions:
        click.echo("Nothing needs a person now.")
    return 1 if result.failed else 0


@command.command("status", help="The alert conditions true now (exit 1 when any).")
@global_options()
def status() -> int:
    load()
    rows = ledger.active()
    if not rows:
        click.echo("No alert condition is active.")
    for r in rows:
        since = f"{r.raised_at:%Y-%m-%d %H:%M} UTC" if r.raised_at else "?"
        click.echo(f"{r.severity.upper():8} {r.title} (since {since})\n         {r.detail}")
    return 1 if rows else 0


@command.command("digest", help="Print the daily digest, or send it with --send.")
@global_options()
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="the store day to report (default: yesterday in the store's time zone)")
@click.option("--send", is_flag=True, help="send it through every channel")
def digest(day: datetime | None, send: bool) -> int:
    _, settings, vault = load()
    tz = settings.worker.schedule.timezone
    the_day: date = day.date() if day else store_yesterday(SYSTEM_CLOCK.now(), tz)
    report = build_digest(the_day, tz, stored_reconciler(
        tuple(settings.posting.eligible_statuses)))
    if not send:
        click.echo(report.text)
        return 0
    service = build_alert_service(settings, vault)
    if not service.channels:
        raise CommandError("no alert channel is configured: set [alerts.email] or "
                           "[alerts.webhook] in config.toml")
    failed = 0
    for channel in service.channels:
        try:
            channel.send(Message(report.subject, report.text, report.payload()))
            click.echo(f"{channel.name}: sent")
        except ConnectorError as exc:
            failed += 1
            click.echo(f"{channel.name}: FAILED: {exc}")
    return 1 if failed else 0


@command.command("secret", help="Store the SMTP password or the webhook signing secret.")
@global_options()
@click.argument("channel", type=click.Choice(["email", "webhook"]))
@click.option("--env", "env_var", metavar="VAR", help="read it from this environment variable")
@click.option("--stdin", "from_stdin", is_flag=True, help="read it as one line of stdin")
def secret(channel: str, env_var: str | None, from_stdin: bool) -> int:
    _, _, vault = load()
    slot = ALERTS_SMTP_PASSWORD if channel == "email" else ALERTS_WEBHOOK_SECRET
    label = "SMTP password" if channel == "email" else "Webhook signing secret"
    value = read_secret(label, env_var=env_var, stdin=from_stdin, prompt=interactive())
    if not value:
        raise CommandError(f"no {label.lower()} given: use --env VAR, --stdin or a terminal")
    vault.set(slot, value, actor("cli"))
    click.echo(f"{label} stored encrypted (vault slot {slot}).")
    return 0

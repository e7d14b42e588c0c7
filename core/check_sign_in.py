"""`check`'s lines on the Windows sign-in to GP: which mechanism GP accepted (Kerberos, or NTLM
and why), and where the Kerberos ticket came from (the stored password, a keytab or an existing
credential cache), whose it is and when it ends. A keytab others can read is a warning: it holds
the account's keys. Its content is never read here, only its permissions."""
from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.config import GPSettings, Settings
from core.gp.negotiate import NegotiateAuth, explain

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"


def ticket_without_password(gp: GPSettings) -> bool:
    """Kerberos can sign in without a stored password: from a keytab or a credential cache."""
    return gp.auth != "ntlm" and bool(gp.kerberos_keytab or gp.kerberos_ccache)


def check_sign_in(settings: Settings, http: Any, add: Callable[..., None]) -> None:
    """Which Windows sign-in GP accepted: Kerberos, or NTLM and why (core/gp/negotiate.py)."""
    gp = settings.gp
    auth = getattr(getattr(http, "client", None), "auth", None)
    sign_in = auth.sign_in() if isinstance(auth, NegotiateAuth) else None
    if gp.auth == "ntlm":
        add("Sign-in", INFO, f"NTLM as {gp.user} ([gp] auth = ntlm; negotiate would use "
            "Kerberos where the domain allows it)")
        return
    if sign_in is None:
        add("Sign-in", WARN, f"[gp] auth = {gp.auth}, but no sign-in was needed on this run",
            "run check again on a fresh connection")
    elif sign_in.mechanism == "Kerberos":
        add("Sign-in", OK, f"Kerberos (Negotiate) as {sign_in.detail}")
    else:
        add("Sign-in", WARN, f"NTLM as {sign_in.detail}: Kerberos did not work: "
            f"{sign_in.fallback}", explain(sign_in.fallback))
    ticket = auth.ticket() if isinstance(auth, NegotiateAuth) else None
    if ticket is not None:
        add("Kerberos ticket", OK, f"from {ticket.source}: {ticket.principal}, valid until "
            f"{ticket.ends_text()}")
    if gp.kerberos_keytab:
        _keytab_permissions(gp.kerberos_keytab, add)


def _keytab_permissions(name: str, add: Callable[..., None]) -> None:
    kind, colon, rest = name.partition(":")
    path = Path(rest if colon and len(kind) > 1 else name)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        add("Keytab", FAIL, f"{path} cannot be read ({exc.strerror})",
            "put the account's keytab there, readable by the service account only")
        return
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        add("Keytab", WARN, f"{path} is open to other accounts (mode "
            f"{stat.S_IMODE(mode):04o}): it holds the account's keys, as good as its password",
            f"chmod 600 {path} and make it owned by the account the connector runs as")

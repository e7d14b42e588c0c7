"""Where the GP account's Kerberos ticket-granting ticket comes from, per workspace.

- the password stored in the vault (the default): one AS exchange with the KDC;
- a keytab (`[gp] kerberos_keytab`): the account's keys, as a Windows or Linux service account
  holds them (`ktpass` on a domain controller, `kadmin ktadd`, `msktutil`); no password is
  stored at all;
- an existing credential cache (`[gp] kerberos_ccache`, e.g. FILE:/var/lib/ml-connector/krb5cc
  or KCM:) that something else keeps fresh (k5start, the system's sssd/gssproxy): the
  connector only reads it and says when it has run out.

Password and keytab tickets go into a MEMORY cache of this process (nothing on disk) and are
renewed RENEW_BEFORE_S before they end. Nothing here logs a key, a ticket or the password; the
keytab's path is not a secret, its content is, and only the krb5 library reads it.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

try:  # the `kerberos` extra (a real optional dependency)
    import gssapi as gssapi  # re-exported: core.gp.negotiate catches their errors
    import krb5 as krb5
except ImportError as _missing:
    gssapi = krb5 = None  # type: ignore[assignment]
    MISSING = f"the Kerberos libraries are not installed ({_missing})"
else:
    MISSING = ""

RENEW_BEFORE_S = 300.0


class TicketError(Exception):
    """No usable ticket-granting ticket from the configured source (the reason, no secret)."""


@dataclass(frozen=True)
class TicketInfo:
    """What `check` shows: where the ticket came from, whose it is and when it ends."""

    source: str  # "keytab /etc/ml-connector/svc.keytab", "the password stored for ..."
    principal: str
    ends: float  # POSIX seconds

    def ends_text(self) -> str:
        return datetime.fromtimestamp(self.ends, UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Source:
    """A ticket-granting ticket kept in a cache, got again when it nears its end."""

    source = ""

    def __init__(self, principal: str, clock: Callable[[], float] = time.time) -> None:
        self.principal = principal
        self._clock = clock
        self._lock = threading.Lock()
        self._name = ""
        self._ends = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.principal!r})"

    def ccache(self) -> str:
        """The cache's name, with a valid TGT in it; raises krb5.Krb5Error or TicketError."""
        with self._lock:
            if not self._name or self._clock() > self._ends - RENEW_BEFORE_S:
                self._refresh()
            return self._name

    def forget(self) -> None:
        with self._lock:
            self._ends = 0.0

    def info(self) -> TicketInfo | None:
        with self._lock:
            if not self._name:
                return None
            return TicketInfo(self.source, self.principal, self._ends)

    def _refresh(self) -> None:
        raise NotImplementedError


class _InitialTickets(_Source):
    """Got from the KDC by this process into its own MEMORY cache."""

    def __init__(self, principal: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(principal, clock)
        self._cache: tuple[Any, Any] | None = None

    def _initial(self, ctx: Any, principal: Any, options: Any) -> Any:
        raise NotImplementedError

    def _refresh(self) -> None:
        assert krb5 is not None
        ctx = krb5.init_context()
        principal = krb5.parse_name_flags(ctx, self.principal.encode())
        options = krb5.get_init_creds_opt_alloc(ctx)
        krb5.get_init_creds_opt_set_canonicalize(options, True)
        creds = self._initial(ctx, principal, options)
        cache = krb5.cc_new_unique(ctx, b"MEMORY")
        krb5.cc_initialize(ctx, cache, creds.client)
        krb5.cc_store_cred(ctx, cache, creds)
        old, self._cache = self._cache, (ctx, cache)
        self._name = "MEMORY:" + (cache.name or b"").decode()
        self._ends = float(creds.times.endtime)
        if old is not None:
            krb5.cc_destroy(*old)


class Tickets(_InitialTickets):
    """The account's ticket-granting ticket, got with the password."""

    def __init__(self, principal: str, password: str, clock: Callable[[], float] = time.time,
                 *, user: str = "") -> None:
        super().__init__(principal, clock)
        self._password = password
        self.source = f"the password stored for {user or principal}"

    def _initial(self, ctx: Any, principal: Any, options: Any) -> Any:
        assert krb5 is not None
        return krb5.get_init_creds_password(ctx, principal, options,
                                            password=self._password.encode())


class KeytabTickets(_InitialTickets):
    """The account's ticket-granting ticket, got with its keys from a keytab."""

    def __init__(self, principal: str, keytab: str,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(principal, clock)
        self.keytab = keytab
        self.source = f"keytab {keytab}"

    def _initial(self, ctx: Any, principal: Any, options: Any) -> Any:
        assert krb5 is not None
        name = self.keytab if ":" in self.keytab.split("/", 1)[0] else "FILE:" + self.keytab
        keytab = krb5.kt_resolve(ctx, name.encode())
        return krb5.get_init_creds_keytab(ctx, principal, options, keytab)


class CacheTickets(_Source):
    """An existing credential cache kept fresh by something else; only read here."""

    def __init__(self, ccache: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__("", clock)
        self.name = ccache
        self.source = f"credential cache {ccache}"

    def _refresh(self) -> None:
        assert gssapi is not None
        try:
            creds = gssapi.Credentials(usage="initiate", store={"ccache": self.name})
            lifetime = creds.lifetime
            principal = str(creds.name)
        except gssapi.exceptions.ExpiredCredentialsError:
            raise TicketError(f"the ticket-granting ticket in credential cache {self.name} "
                              "has expired") from None
        except gssapi.exceptions.GSSError as exc:  # type: ignore[attr-defined]
            # GSSAPI: "Major (n): <generic>, Minor (n): <the real reason>"
            why = re.split(r"Minor \(\d+\): ", " ".join(str(exc).split()))[-1].rstrip(")")
            raise TicketError(f"credential cache {self.name} holds no usable ticket-granting "
                              f"ticket: {why[:200]}") from None
        if not lifetime:
            raise TicketError(f"the ticket-granting ticket in credential cache {self.name} "
                              "has expired")
        self.principal = principal
        self._name = self.name
        # Near its end it is read again on each new connection: whoever renews it may have.
        self._ends = self._clock() + float(lifetime)


def ticket_source(principal: str, password: str, *, keytab: str = "", ccache: str = "",
                  user: str = "", clock: Callable[[], float] = time.time) -> _Source | None:
    """The configured source, or None without the Kerberos libraries."""
    if krb5 is None:
        return None
    if ccache:
        return CacheTickets(ccache, clock)
    if keytab:
        return KeytabTickets(principal, keytab, clock)
    return Tickets(principal, password, clock, user=user)

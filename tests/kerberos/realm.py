"""A real MIT Kerberos realm for the tests: its own KDC on 127.0.0.1, everything under one folder.

Nothing global changes: the realm's krb5.conf and kdc.conf live in the folder and the caller
points KRB5_CONFIG / KRB5_KDC_PROFILE at them (see `environment`). The KDC is Debian's
krb5kdc (packages krb5-kdc and krb5-admin-server); the database is made with kdb5_util and
kadmin.local. `krb5kdc` without -n binds its sockets before it daemonises, so the command's
return is the event "the KDC is listening" (no polling, no sleep).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.ports import port_for_later

REALM = "FABRIKAM.TEST"
HOST = "localhost"  # the GP stand-in's host name in URLs, so its SPN is HTTP/localhost
SERVICE_USER = "svc-mlconnector"
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local")
SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in SBIN:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def missing_tools() -> list[str]:
    return [t for t in TOOLS if find_tool(t) is None]


def _password() -> str:
    return "Kr-" + secrets.token_urlsafe(18)


@dataclass
class Realm:
    root: Path
    name: str = REALM
    host: str = HOST
    port: int = 0
    user: str = SERVICE_USER
    password: str = field(default_factory=_password, repr=False)
    _pidfile: Path | None = None

    @property
    def principal(self) -> str:
        return f"{self.user}@{self.name}"

    @property
    def krb5_conf(self) -> Path:
        return self.root / "krb5.conf"

    @property
    def kdc_conf(self) -> Path:
        return self.root / "kdc.conf"

    @property
    def keytab(self) -> Path:
        """The GP server's keys: HTTP/<host>, as IIS holds them for its machine account."""
        return self.root / "http.keytab"

    @property
    def spn(self) -> str:
        return f"HTTP/{self.host}"

    def environment(self) -> dict[str, str]:
        return {"KRB5_CONFIG": str(self.krb5_conf), "KRB5_KDC_PROFILE": str(self.kdc_conf),
                # never the user's /tmp/krb5cc_*: tickets stay in this process's memory
                "KRB5CCNAME": "MEMORY:ml-connector-tests"}

    def _write_config(self) -> None:
        self.krb5_conf.write_text(f"""[libdefaults]
    default_realm = {self.name}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ticket_lifetime = 1h
    forwardable = false

[realms]
    {self.name} = {{
        kdc = 127.0.0.1:{self.port}
    }}

[domain_realm]
    {self.host} = {self.name}
""")
        self.kdc_conf.write_text(f"""[kdcdefaults]
    kdc_ports = {self.port}
    kdc_tcp_ports = {self.port}

[realms]
    {self.name} = {{
        database_name = {self.root / "principal"}
        key_stash_file = {self.root / "stash"}
        acl_file = {self.root / "kadm5.acl"}
        kdc_listen = 127.0.0.1:{self.port}
        kdc_tcp_listen = 127.0.0.1:{self.port}
        max_life = 1h
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }}

[logging]
    kdc = FILE:{self.root / "kdc.log"}
""")
        (self.root / "kadm5.acl").write_text("")

    def _run(self, *args: str, stdin: str | None = None) -> None:
        env = {**os.environ, **self.environment()}
        done = subprocess.run(list(args), env=env, input=stdin, capture_output=True, text=True,
                              timeout=60, check=False)
        if done.returncode != 0:
            # The command line carries no secret: passwords go through stdin or -pw in a query
            # that is not echoed here.
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): "
                               f"{done.stderr.strip()[:400]}")

    def kadmin(self, query: str) -> None:
        tool = find_tool("kadmin.local")
        assert tool is not None
        self._run(tool, "-r", self.name, "-q", query)

    def start(self) -> Realm:
        self.root.mkdir(parents=True, exist_ok=True)
        kdb5_util, krb5kdc = find_tool("kdb5_util"), find_tool("krb5kdc")
        assert kdb5_util is not None and krb5kdc is not None
        self.port = self.port or port_for_later()
        self._write_config()
        self._run(kdb5_util, "-r", self.name, "create", "-s", stdin=f"{_password()}\n" * 2)
        # Active Directory requires pre-authentication by default: so does this realm.
        self.kadmin(f"addprinc +requires_preauth -pw {self.password} {self.user}")
        self.kadmin(f"addprinc -randkey {self.spn}")
        self.kadmin(f"ktadd -k {self.keytab} {self.spn}")
        self._pidfile = self.root / "krb5kdc.pid"
        self._run(krb5kdc, "-r", self.name, "-P", str(self._pidfile))
        return self

    def add_user(self, name: str, password: str) -> str:
        self.kadmin(f"addprinc +requires_preauth -pw {password} {name}")
        return f"{name}@{self.name}"

    def stop(self) -> None:
        if self._pidfile is None or not self._pidfile.exists():
            return
        pid = int(self._pidfile.read_text().strip() or 0)
        if pid > 0:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        self._pidfile = None

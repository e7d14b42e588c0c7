"""The GP WSDL: fetched from the customer's own server with the gateway's credentials, kept in
the workspace, reused offline.

The project ships no WSDL (it is Microsoft's text, and each server's is its own). The first
start fetches it (~1.7 MB behind NTLM) and every document it imports into
`<workspace>/cache/gp-wsdl/`; later starts read the copy. `[gp] wsdl` (or `--wsdl`) points at a
local file or URL instead. The service address is never taken from the WSDL: the WSDL carries
the server's own host name, which is often not the name the connector must use.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from zeep.cache import Base

from core.errors import ConfigError, GPAuthError, GPError

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


class WsdlCache(Base):  # type: ignore[misc]
    """zeep cache: URL -> document bytes, in a folder (or in memory when there is none)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _name(url: str) -> str:
        return hashlib.sha256(url.encode()).hexdigest()[:32] + ".xml"

    def get(self, url: str) -> bytes | None:
        with self._lock:
            if url in self._memory:
                return self._memory[url]
            if self.folder is not None:
                path = self.folder / self._name(url)
                if path.exists():
                    data = path.read_bytes()
                    self._memory[url] = data
                    return data
        return None

    def add(self, url: str, content: bytes) -> None:
        with self._lock:
            self._memory[url] = content
            if self.folder is None:
                return
            path = self.folder / self._name(url)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(content)
            os.replace(tmp, path)
            index_path = self.folder / "index.json"
            index = json.loads(index_path.read_text()) if index_path.exists() else {}
            index[url] = path.name
            index_path.write_text(json.dumps(index, indent=1, sort_keys=True))

    def main_url(self) -> str | None:
        """The WSDL URL that worked last time (recorded by `remember_main`)."""
        if self.folder is None:
            return self._memory.get("__main__", b"").decode() or None
        p = self.folder / "main.txt"
        return p.read_text().strip() or None if p.exists() else None

    def remember_main(self, url: str) -> None:
        if self.folder is None:
            self._memory["__main__"] = url.encode()
        else:
            (self.folder / "main.txt").write_text(url + "\n")

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()
            if self.folder is not None:
                for p in self.folder.iterdir():
                    p.unlink()


def cache_for(workspace_dir: Path | None) -> WsdlCache:
    return WsdlCache(workspace_dir / "cache" / "gp-wsdl" if workspace_dir else None)


def candidate_urls(soap_url: str) -> list[str]:
    """Where GP serves the legacy WSDL: `?wsdl` on the endpoint, else the metadata path."""
    parts = urlsplit(soap_url)
    meta = urlunsplit((parts.scheme, parts.netloc, "/Metadata/Legacy/Full/DynamicsGP.wsdl", "", ""))
    return [soap_url + "?wsdl", meta]


def is_wsdl(content: bytes) -> bool:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return False
    return bool(root.tag == f"{{{WSDL_NS}}}definitions")


def resolve_location(*, override: str, soap_url: str, cache: WsdlCache, refresh: bool,
                     fetch: Callable[[str], bytes]) -> str:
    """The location zeep loads the WSDL from (a file path or a URL answered by the cache).

    `fetch(url)` GETs with the gateway's credentials and raises GPError on failure.
    """
    if override:
        if "://" in override and not override.startswith("file://"):
            return override
        path = Path(override.removeprefix("file://")).expanduser()
        if not path.is_file():
            raise ConfigError(f"[gp] wsdl {path} does not exist")
        return str(path)
    if refresh:
        cache.clear()
    main = cache.main_url()
    if main and cache.get(main) is not None:
        return main
    problems: list[str] = []
    for url in candidate_urls(soap_url):
        try:
            content = fetch(url)
        except GPAuthError:
            raise
        except GPError as exc:
            if getattr(exc, "status", None) is None:
                raise  # unreachable or untrusted: no other URL will do better
            problems.append(f"{url}: {exc}")
            continue
        if is_wsdl(content):
            cache.add(url, content)
            cache.remember_main(url)
            return url
        problems.append(f"{url}: not a WSDL document")
    raise GPError("could not load GP's WSDL (" + "; ".join(problems) + "). Point [gp] wsdl "
                  "at a saved copy (`ml-connector check --wsdl FILE`) or check [gp] soap_url")

"""Live reload of config.toml (and other watched files, such as mapping files).

An edit is read, parsed and checked in full before anything changes. A good edit is handed to
`on_reload(settings, changed_keys)`; a bad one is refused with a message that names the file,
the section and the key, and the last good configuration stays in force — a typo on a running
server must never stop the sync or quietly fall back to defaults.

Editors save in different ways (write in place, or write a temp file and rename it over), so the
watcher watches the folder and matches on the file name; identical content (a `touch`, an editor
re-saving) is ignored.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import watchfiles

from core.config import Settings, load_settings
from core.errors import ConfigError
from core.worker.schedule import business_hours

log = logging.getLogger("ml_connector.reload")

# Keys a running worker cannot change in place: they take effect at the next start.
RESTART_KEYS = ("worker.listen", "worker.public_url", "worker.lease_ttl_s", "logging.format",
                "logging.file", "gp.soap_url", "gp.sba_url", "gp.user", "gp.company",
                "gp.ca_bundle", "gp.wsdl", "woocommerce.url", "woocommerce.ca_bundle")


def changed_keys(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted names of the settings that differ, e.g. ["worker.schedule.business_interval_s"]."""
    out: list[str] = []
    for f in dataclasses.fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
            out.extend(changed_keys(a, b, name + "."))
        elif a != b:
            out.append(name)
    return out


def check_settings(text: str, source: str) -> Settings:
    """Everything a running worker needs to be true of a configuration, or ConfigError."""
    settings = load_settings(text, source)
    business_hours(settings.worker.schedule)
    if settings.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{source}: [logging] level must be DEBUG, INFO, WARNING or ERROR")
    return settings


@dataclass
class WatchedFile:
    """A file besides config.toml: `load(text, source)` checks it (raising ConfigError),
    `apply(value)` puts the checked value in force."""

    path: Path
    load: Callable[[str, str], Any]
    apply: Callable[[Any], None]
    digest: str = ""


@dataclass(frozen=True)
class ReloadOutcome:
    path: Path
    accepted: bool
    message: str
    changed: tuple[str, ...] = ()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ConfigWatcher:
    """Watches config.toml (and extra files) in a daemon thread."""

    def __init__(self, config_path: Path, initial: Settings,
                 on_reload: Callable[[Settings, list[str]], None], *,
                 on_outcome: Callable[[ReloadOutcome], None] | None = None,
                 extra: list[WatchedFile] | None = None, timeout_ms: int = 1000,
                 debounce_ms: int = 300) -> None:
        self.config_path = Path(config_path).resolve()
        self.current = initial
        self.on_reload = on_reload
        self.on_outcome = on_outcome
        self.extra = {Path(w.path).resolve(): w for w in (extra or [])}
        self.last_outcome: ReloadOutcome | None = None
        self.ready = threading.Event()  # set once the OS watch is in place
        self._config_digest = self._read_digest(self.config_path)
        for watched in self.extra.values():
            watched.digest = self._read_digest(watched.path)
        self._timeout_ms = timeout_ms
        self._debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _read_digest(path: Path) -> str:
        try:
            return _digest(path.read_text(encoding="utf-8"))
        except OSError:
            return ""

    # --- checking one file ----------------------------------------------------------------

    def check(self, path: Path | None = None) -> ReloadOutcome | None:
        """Re-read `path` (default config.toml) now; None when its content did not change."""
        path = (path or self.config_path).resolve()
        with self._lock:
            outcome = self._check_locked(path)
            if outcome is not None:
                self.last_outcome = outcome
        if outcome is not None:
            if outcome.accepted:
                log.info(outcome.message)
            else:
                log.error(outcome.message)
            if self.on_outcome:
                self.on_outcome(outcome)
        return outcome

    def _check_locked(self, path: Path) -> ReloadOutcome | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ReloadOutcome(path, False, f"{path} was removed: keeping the last good "
                                 "configuration; put the file back to change settings")
        except (OSError, UnicodeDecodeError) as exc:
            return ReloadOutcome(path, False, f"{path} cannot be read ({exc}): keeping the last "
                                 "good configuration")
        digest = _digest(text)
        if path == self.config_path:
            if digest == self._config_digest:
                return None
            self._config_digest = digest
            try:
                settings = check_settings(text, str(path))
            except ConfigError as exc:
                return ReloadOutcome(path, False, f"configuration edit refused: {exc}. The last "
                                     "good configuration stays in force; fix the file and save "
                                     "again.")
            changed = changed_keys(self.current, settings)
            try:
                self.on_reload(settings, changed)
            except ConfigError as exc:
                return ReloadOutcome(path, False, f"configuration edit refused: {exc}. The last "
                                     "good configuration stays in force.")
            self.current = settings
            later = [k for k in changed if k.startswith(RESTART_KEYS)]
            message = (f"configuration reloaded from {path}: "
                       + (", ".join(changed) if changed else "no setting changed"))
            if later:
                message += f" ({', '.join(later)} take effect when the worker restarts)"
            return ReloadOutcome(path, True, message, tuple(changed))
        watched = self.extra.get(path)
        if watched is None or digest == watched.digest:
            return None
        watched.digest = digest
        try:
            value = watched.load(text, str(path))
            watched.apply(value)
        except ConfigError as exc:
            return ReloadOutcome(path, False, f"edit of {path} refused: {exc}. The last good "
                                 "version stays in force.")
        return ReloadOutcome(path, True, f"{path} reloaded")

    # --- the watching thread --------------------------------------------------------------

    def _paths(self) -> set[Path]:
        return {self.config_path, *self.extra}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="config-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        wanted = {str(p) for p in self._paths()}
        folders = sorted({str(p.parent) for p in self._paths() if p.parent.exists()})
        if not folders:
            self.ready.set()
            return

        def only_ours(_change: Any, path: str) -> bool:
            return str(Path(path).resolve()) in wanted

        try:
            for changes in watchfiles.watch(*folders, watch_filter=only_ours,
                                            debounce=self._debounce_ms, step=50,
                                            stop_event=self._stop, rust_timeout=self._timeout_ms,
                                            yield_on_timeout=True, recursive=False,
                                            raise_interrupt=False):
                # The first yield (a change or a timeout) proves the OS watch is in place.
                self.ready.set()
                for path in sorted({Path(p).resolve() for _, p in changes}):
                    try:
                        self.check(path)
                    except Exception:  # never let a reload bug kill the watcher
                        log.exception("reloading %s failed; the last good configuration stays",
                                      path)
        except Exception:
            log.exception("the configuration watcher stopped; restart the worker to pick up "
                          "edits")
        finally:
            self.ready.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

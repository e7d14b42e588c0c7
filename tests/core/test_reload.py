"""Live reload: a good edit of config.toml is applied, a bad one refused, the last good one kept.

Real watchfiles on a real folder; the test waits on events the watcher sets, never on sleeps.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from core.config import Settings, dump_settings, load_settings
from core.errors import ConfigError
from core.worker.reload import ConfigWatcher, ReloadOutcome, WatchedFile, changed_keys

WAIT_S = 20


def _write(path: Path, text: str) -> None:
    # The way editors and Workspace.save do it: a temp file renamed over the original.
    tmp = path.with_suffix(".tmp-edit")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Outcomes:
    def __init__(self) -> None:
        self.items: list[ReloadOutcome] = []
        self.cond = threading.Condition()

    def __call__(self, outcome: ReloadOutcome) -> None:
        with self.cond:
            self.items.append(outcome)
            self.cond.notify_all()

    def wait_for(self, n: int) -> list[ReloadOutcome]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.items) >= n, timeout=WAIT_S), self.items
            return list(self.items)


def test_good_edit_reloaded_bad_edit_refused_last_good_kept(tmp_path, caplog):
    config = tmp_path / "config.toml"
    initial = Settings()
    config.write_text(dump_settings(initial), encoding="utf-8")
    applied: list[tuple[Settings, list[str]]] = []
    outcomes = Outcomes()
    watcher = ConfigWatcher(config, initial, lambda s, changed: applied.append((s, changed)),
                            on_outcome=outcomes, timeout_ms=100, debounce_ms=50)
    watcher.start()
    try:
        assert watcher.ready.wait(WAIT_S)
        edited = dump_settings(initial).replace("business_interval_s = 120",
                                                "business_interval_s = 60")
        _write(config, edited)
        first = outcomes.wait_for(1)[0]
        assert first.accepted, first.message
        assert first.changed == ("worker.schedule.business_interval_s",)
        assert watcher.current.worker.schedule.business_interval_s == 60
        assert applied[-1][0].worker.schedule.business_interval_s == 60

        # A typo in a key, then a bad time zone: both refused, 60 stays in force.
        _write(config, edited.replace("busy_threshold = 5", "busy_treshold = 5"))
        second = outcomes.wait_for(2)[1]
        assert not second.accepted
        assert "busy_treshold" in second.message and "last good configuration" in second.message
        _write(config, edited.replace('timezone = "UTC"', 'timezone = "Mars/Base"'))
        third = outcomes.wait_for(3)[2]
        assert not third.accepted and "Mars/Base" in third.message
        assert watcher.current.worker.schedule.business_interval_s == 60
        assert len(applied) == 1
        assert any("configuration edit refused" in r.getMessage() for r in caplog.records)
    finally:
        watcher.stop()


def test_check_ignores_unchanged_content_and_reports_restart_keys(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(dump_settings(Settings()), encoding="utf-8")
    watcher = ConfigWatcher(config, Settings(), lambda s, c: None)
    assert watcher.check() is None  # nothing changed
    config.write_text(dump_settings(Settings()).replace('listen = "127.0.0.1:8787"',
                                                        'listen = "0.0.0.0:9000"'))
    outcome = watcher.check()
    assert outcome is not None and outcome.accepted
    assert "worker.listen" in outcome.message and "restarts" in outcome.message


def test_a_removed_file_keeps_the_last_good_configuration(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(dump_settings(Settings()), encoding="utf-8")
    watcher = ConfigWatcher(config, Settings(), lambda s, c: None)
    config.unlink()
    outcome = watcher.check()
    assert outcome is not None and not outcome.accepted and "removed" in outcome.message
    assert watcher.current == Settings()


def test_extra_mapping_file_is_checked_before_it_is_applied(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(dump_settings(Settings()), encoding="utf-8")
    mapping = tmp_path / "skus.toml"
    mapping.write_text('"TEE-BLU-M" = "TEE-BLUE-M"\n')
    in_force: dict[str, str] = {}

    def load(text: str, source: str) -> dict[str, str]:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source} is not valid TOML: {exc}") from exc
        return {str(k): str(v) for k, v in data.items()}

    watcher = ConfigWatcher(config, Settings(), lambda s, c: None,
                            extra=[WatchedFile(mapping, load, in_force.update)])
    mapping.write_text('"TEE-BLU-M" = "TEE-BLUE-M"\n"CAP" = "CAP-1"\n')
    assert watcher.check(mapping).accepted
    assert in_force == {"TEE-BLU-M": "TEE-BLUE-M", "CAP": "CAP-1"}
    mapping.write_text('"CAP" = \n')
    refused = watcher.check(mapping)
    assert not refused.accepted and "skus.toml" in refused.message
    assert in_force["CAP"] == "CAP-1"


def test_changed_keys_names_nested_settings():
    a = Settings()
    b = load_settings('[worker.schedule]\ntimezone = "Europe/Paris"\n[posting]\nconcurrency = 2\n')
    assert changed_keys(a, b) == ["posting.concurrency", "worker.schedule.timezone"]

"""Every setting is checked against its allowed range when config.toml is read (issue 14 item 9):
the refusal names the file, section, key and what is allowed; nothing becomes a traceback."""
from __future__ import annotations

import dataclasses
import math
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import Settings, _toml_value, load_settings
from core.config_rules import RANGES
from core.errors import ConfigError
from core.mapping.documents import render
from core.worker.lease import Lease
from tui.cli import main

ACCEPTED_SILENTLY_BEFORE = [
    ("worker", "max_body_bytes", -1),
    ("worker", "poll_overlap_s", -100000),
    ("posting", "concurrency", 100000),
    ("posting", "rounding_tolerance", "1e9"),
    ("posting", "eligible_statuses", [1, 2]),
    ("posting", "doc_number_template", "WOOCOMMERCE-{number}"),
    ("posting", "doc_number_template", "WC{order_number}"),
    ("worker", "lease_ttl_s", 1),
    ("posting", "rounding_tolerance", "NaN"),
    ("logging", "level", "TRACE"),
]


def _toml(section: str, key: str, value: object) -> str:
    return f"[{section}]\n{key} = {_toml_value(value)}\n"


@pytest.mark.parametrize(("section", "key", "value"), ACCEPTED_SILENTLY_BEFORE)
def test_out_of_range_settings_are_refused_naming_file_section_and_key(section, key, value):
    with pytest.raises(ConfigError) as refused:
        load_settings(_toml(section, key, value), "/srv/ml/config.toml")
    message = str(refused.value)
    assert message.startswith("/srv/ml/config.toml: ")
    assert f"[{section}] {key} = " in message or f"[settings.{section}] {key}" in message


def test_worker_exits_2_with_the_message_not_a_traceback(tmp_path, capsys):
    for section, key, value in [("worker", "lease_ttl_s", 1),
                                ("posting", "rounding_tolerance", "NaN"),
                                ("logging", "level", "TRACE")]:
        (tmp_path / "config.toml").write_text(_toml(section, key, value))
        assert main(["--workspace", str(tmp_path), "worker", "--once"]) == 2
        err = capsys.readouterr().err
        assert f"config.toml: [{section}] {key} = " in err and "Traceback" not in err


KEYS = sorted((section, f.name) for section in ("woocommerce", "gp", "posting", "products",
                                                "worker", "logging")
              for f in dataclasses.fields(getattr(Settings(), section))
              if not dataclasses.is_dataclass(getattr(getattr(Settings(), section), f.name)))
KEYS += [("worker.schedule", k) for k in ("business_interval_s", "off_hours_interval_s",
                                           "busy_interval_s", "busy_threshold")]

TOML_VALUES = st.recursive(
    st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(min_size=1, max_size=8), inner, max_size=4),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(choice=st.sampled_from(KEYS), value=TOML_VALUES)
def test_random_values_are_accepted_or_refused_never_a_traceback(choice, value):
    section, key = choice
    try:
        text = _toml(section, key, value)
        tomllib.loads(text)
    except (TypeError, tomllib.TOMLDecodeError, ValueError):
        return  # not expressible in TOML (nan keys, control characters): nothing to load
    try:
        loaded = load_settings(text, "config.toml")
    except ConfigError as exc:
        assert str(exc).startswith("config.toml: ")
        return
    # Accepted: every consumer of the value can use it.
    Lease(ttl_s=loaded.worker.lease_ttl_s)
    assert Decimal(loaded.posting.rounding_tolerance).is_finite()
    assert len(render(loaded.posting.doc_number_template, number="9999999999",
                      id=9999999999)) <= 17
    for (sec, name), allowed in RANGES.items():
        obj = loaded
        for part in sec.split("."):
            obj = getattr(obj, part)
        got = getattr(obj, name)
        assert math.isfinite(got) and allowed.low <= got <= allowed.high

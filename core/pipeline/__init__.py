"""The per-document posting pipeline on the durable job queue (see runner.py)."""
from __future__ import annotations

"""The delivery spool: where a signed delivery goes when the database cannot take it now.

WooCommerce never re-delivers, so a 200 is a promise that the delivery is on disk. When another
process holds the database's write lock longer than the busy timeout (a long backup, a console
query gone wrong, a migration), the receiver writes the delivery here instead: one file per
delivery in a folder beside the database, fsync'd (file and folder) before the 200. The writer
imports the files, oldest first, as soon as the database frees; each file is removed only after
its row committed. A crash between the two imports that delivery twice, which intake absorbs:
deliveries are hints, deduplicated on the order and its date_modified_gmt.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SUFFIX = ".delivery"


def spool_dir_for(db_path: str | os.PathLike[str]) -> Path:
    """`state.db` -> `state.db-spool/` (beside the database: same disk, same backups)."""
    path = Path(db_path)
    return path.with_name(path.name + "-spool")


def _encode(row: dict[str, Any]) -> bytes:
    out = dict(row)
    received = out.get("received_at")
    if isinstance(received, datetime):
        out["received_at"] = received.isoformat()
    body = out.get("body")
    if body is not None:
        out["body"] = base64.b64encode(bytes(body)).decode("ascii")
    return json.dumps(out, sort_keys=True).encode()


def _decode(data: bytes) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(data)
    if row.get("received_at"):
        row["received_at"] = datetime.fromisoformat(row["received_at"])
    if row.get("body") is not None:
        row["body"] = base64.b64decode(row["body"])
    return row


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows; NTFS journals it
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def put(self, row: dict[str, Any]) -> Path:
        """Write one delivery durably; returns its file. Raises OSError when the disk refuses
        (then the receiver answers 5xx: nothing was promised)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}{SUFFIX}"
        tmp = self.folder / (name + ".tmp")
        data = _encode(row)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        final = self.folder / name
        os.replace(tmp, final)
        _fsync_dir(self.folder)
        return final

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*" + SUFFIX))

    def pending(self) -> int:
        return len(self.files())

    def oldest_at(self) -> datetime | None:
        """When the oldest waiting delivery was spooled (its file name starts with the time in
        nanoseconds since the epoch), or None when the spool is empty."""
        files = self.files()
        if not files:
            return None
        try:
            ns = int(files[0].name.split("-", 1)[0])
        except ValueError:
            return datetime.fromtimestamp(files[0].stat().st_mtime, UTC)
        return datetime.fromtimestamp(ns / 1e9, UTC)

    def read(self, path: Path) -> dict[str, Any]:
        return _decode(path.read_bytes())

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

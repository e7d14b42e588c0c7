"""A test-only SQLite VFS that loses what was not fsync'd when the power is cut (reliability.md §7:
"SQLite itself tests ... power loss ... through a special VFS"; LazyFS does the same below the
filesystem, which this machine lacks).

Every xWrite/xTruncate goes into a per-file pending list (shared by every handle on the file, as
the OS page cache is: other connections read it) and reaches the real file only on xSync, which
then fsyncs it. Reads see the real file with the pending operations laid over it. At the cut
point (the Nth write, truncate or sync anywhere in the process, counted from install) a random
prefix of each file's pending operations is written (a disk that got part of its queue out), and
the process is SIGKILLed at once: nothing else reaches the disk, no atexit, no close. What
survives is exactly what a power cut with an honest disk leaves.

Used in a child process: `python -m tests.reliability.powercut_run CUT SEED module args...`
installs it as the default VFS and runs the module as `__main__`.
"""
from __future__ import annotations

import os
import random
import signal
import sys
import threading
from dataclasses import dataclass, field

import apsw

NAME = "powercut"


@dataclass
class _Pending:
    # in order: ("w", offset, data) or ("t", new size, b"")
    ops: list[tuple[str, int, bytes]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


class PowerCutVFS(apsw.VFS):
    def __init__(self, cut_at: int, seed: int, log: str | None = None) -> None:
        super().__init__(NAME, base="unix", makedefault=True)
        self.cut_at = cut_at
        self.rng = random.Random(seed)
        self.count = 0
        self.files: dict[str, _Pending] = {}
        self.lock = threading.Lock()
        self.log = log
        self.lying_wal = os.environ.get("ML_POWERCUT_LYING_WAL") == "1"

    def pending_for(self, name: str) -> _Pending:
        with self.lock:
            return self.files.setdefault(name, _Pending())

    def xOpen(self, name, flags):  # type: ignore[no-untyped-def]  # noqa: N802 - apsw's name
        return PowerCutFile(self, name, flags)

    def xDelete(self, filename: str, syncdir: bool) -> None:  # noqa: N802
        self.tick()
        with self.lock:
            self.files.pop(filename, None)
        super().xDelete(filename, syncdir)

    def tick(self) -> None:
        """One durable-state-changing call: cut the power when its number comes up."""
        with self.lock:
            self.count += 1
            if self.count < self.cut_at:
                return
            for pending in self.files.values():
                pending.lock.acquire()  # no other thread writes past this point
            if self.log:
                with open(self.log, "a", encoding="utf-8") as fh:
                    fh.write(f"cut at op {self.count}\n")
            for name, pending in self.files.items():
                if name.startswith("<"):
                    continue
                keep = self.rng.randint(0, len(pending.ops))
                if keep:
                    _apply(name, pending.ops[:keep])
            os.kill(os.getpid(), signal.SIGKILL)


def _apply(name: str, ops: list[tuple[str, int, bytes]]) -> None:
    """Write a prefix of the pending operations to the real file (no fsync: the disk wrote them
    itself just before the power went)."""
    fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        for kind, off, data in ops:
            if kind == "w":
                os.pwrite(fd, data, off)
            else:
                os.ftruncate(fd, off)
    finally:
        os.close(fd)


class PowerCutFile(apsw.VFSFile):
    def __init__(self, vfs: PowerCutVFS, name, flags) -> None:  # type: ignore[no-untyped-def]
        super().__init__("unix", name, flags)
        self.vfs = vfs
        # A temporary file (no name) never needs to survive: its writes only ever live here.
        self.path = name.filename() if hasattr(name, "filename") else \
            (str(name) if name else f"<temp {id(self)}>")
        self.pending = vfs.pending_for(self.path)

    def _real_size(self) -> int:
        return int(super().xFileSize())

    def xRead(self, amount: int, offset: int) -> bytes:  # noqa: N802
        with self.pending.lock:
            if not self.pending.ops:
                return super().xRead(amount, offset)
            size = self._real_size()
            buf = bytearray(amount)
            real = super().xRead(amount, offset) if offset < size else b""
            buf[:len(real)] = real
            for kind, off, data in self.pending.ops:
                if kind == "t":
                    size = off
                    if off < offset + amount:
                        start = max(0, off - offset)
                        buf[start:] = bytes(amount - start)
                    continue
                size = max(size, off + len(data))
                lo, hi = max(off, offset), min(off + len(data), offset + amount)
                if lo < hi:
                    buf[lo - offset:hi - offset] = data[lo - off:hi - off]
            valid = max(0, min(amount, size - offset))
            return bytes(buf[:valid])  # short read: apsw zero-fills and says SHORT_READ

    def xWrite(self, data: bytes, offset: int) -> None:  # noqa: N802
        self.vfs.tick()
        with self.pending.lock:
            self.pending.ops.append(("w", offset, bytes(data)))

    def xTruncate(self, size: int) -> None:  # noqa: N802
        self.vfs.tick()
        with self.pending.lock:
            self.pending.ops.append(("t", size, b""))

    def xFileSize(self) -> int:  # noqa: N802
        with self.pending.lock:
            size = self._real_size()
            for kind, off, data in self.pending.ops:
                size = off if kind == "t" else max(size, off + len(data))
            return size

    def xSync(self, flags: int) -> None:  # noqa: N802
        self.vfs.tick()
        if self.vfs.lying_wal and self.path.endswith("-wal"):
            return  # the negative control: a WAL "synced" that never reached the disk
        with self.pending.lock:
            for kind, off, data in self.pending.ops:
                if kind == "w":
                    super().xWrite(data, off)
                else:
                    super().xTruncate(off)
            self.pending.ops.clear()
            super().xSync(flags)


def install(cut_at: int, seed: int, log: str | None = None) -> PowerCutVFS:
    vfs = PowerCutVFS(cut_at, seed, log)
    sys.modules[__name__].installed = vfs  # type: ignore[attr-defined]  # keep it alive
    return vfs

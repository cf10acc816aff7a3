"""Atomic file writing with ordinary permissions: the one helper every
writer in aiadopt uses (tables, charts, sample files, reports).

A file is written under a temporary name in its own folder and renamed into
place, so a reader sees the old file or the new one, never a half-written
one. ``tempfile.mkstemp`` creates its file with mode ``0600``; the file is
given ``0666`` minus the user's umask before the rename, like a file that
``open()`` creates.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "file_mode", "folder_mode", "write_bytes_atomic", "write_text_atomic"]

_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore (not thread-safe without the lock)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new file under the current umask (``0o644`` for umask 022)."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """Mode of a new folder under the current umask (``0o755`` for umask 022)."""
    return 0o777 & ~_umask()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is given the
    umask's permissions and renamed to ``path``, on any error removed.

    For writers that need a file name (``savefig``, ``to_parquet``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes, *, fsync: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`).

    Parameters
    ----------
    path : str or Path
    data : bytes
    fsync : bool, default=False
        Flush the file to disk before the rename (for files that are
        published, so a crash cannot leave an empty file under the name).

    Returns
    -------
    Path
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    return path


def write_text_atomic(path: str | Path, text: str, *, fsync: bool = False) -> Path:
    """Write ``text`` (UTF-8, newlines unchanged) to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"), fsync=fsync)

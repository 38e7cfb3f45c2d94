"""Files written whole or not at all: exports, packs, drill sets, report CSV and PDF.

The content goes to a temporary file beside the target (same folder, so the final rename is
atomic), is flushed to disk, and only then replaces the target. Any failure on the way — a
full disk, a folder that went away, an error while producing the content — removes the
temporary file: nothing half-written is left under either name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path | str) -> Iterator[Path]:
    """Yield a fresh temporary path next to ``target``; write it inside the block. On a clean
    exit it replaces ``target``; on any exception it is deleted and the exception goes on."""
    final = Path(target)
    # mkstemp: a unique name, so two exports to one folder never write into each other's file.
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        # mkstemp makes it private (0600); an export is read like any file the user saves.
        os.chmod(temporary, final.stat().st_mode & 0o777 if final.exists() else 0o644)
        yield temporary
        _fsync(temporary)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    # Without it a power cut right after the rename can leave an empty file under the new name.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Files that hold personal data or keys: owner-only from the moment they exist.

Creating a file and then ``chmod``-ing it leaves a window in which another local user can
open it (and keep the descriptor); ``os.open`` with the mode creates it private.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) as a directory only its owner can enter."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIR)
    return path


def open_private(path: Path, mode: str = "w", *, exclusive: bool = False, **kw: Any) -> IO[Any]:
    """``open(path, mode)`` for writing, the file created (or truncated) owner-only.
    ``exclusive``: fail with ``FileExistsError`` if it exists (no second writer wins)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its old mode otherwise
        return os.fdopen(fd, mode, **kw)
    except BaseException:
        os.close(fd)
        raise

"""Safe file output: write to a temporary file in the target folder, then rename over the target."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputExistsError", "atomic_write"]


class OutputExistsError(FileExistsError):
    """The output file exists and overwriting was not allowed."""


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never half.

    With ``overwrite=False`` an existing file raises :class:`OutputExistsError` and is left alone.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputExistsError(f"{target} exists (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target

"""What a failing store means for the operator: damaged (restore it), unwritable (disk), or unreachable."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

# What callers catch for a statement that failed, without importing sqlite3 (PostgreSQL's
# errors arrive as PgError, a subclass, so that no caller needs the driver).
DatabaseError = sqlite3.DatabaseError


class PgError(sqlite3.DatabaseError):
    """A statement PostgreSQL refused, or a lost connection; ``sqlstate`` says which."""

    sqlstate: str | None = None

_CORRUPT = {11, 26}                # SQLITE_CORRUPT, SQLITE_NOTADB
_WRITE = {8, 10, 13, 14}           # SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN


class StoreDamaged(Exception):
    """The database file is corrupt or truncated; the message is the line the operator reads."""


class StoreUnreachable(Exception):
    """The PostgreSQL server cannot be reached or refused us; the message says what to check."""


class StoreWriteError(sqlite3.OperationalError):
    """A write to the store failed (disk full, read-only, I/O error); nothing of it was kept."""


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_corrupt(exc: BaseException) -> bool:
    """A corrupt, truncated or foreign file."""
    return isinstance(exc, sqlite3.DatabaseError) and _code(exc) in _CORRUPT


def is_write_failure(exc: BaseException) -> bool:
    """Disk full, a read-only file or folder, an I/O error."""
    return isinstance(exc, sqlite3.DatabaseError) and _code(exc) in _WRITE


def damaged(path: Path, exc: BaseException) -> StoreDamaged:
    """The one line for a damaged store file."""
    return StoreDamaged(
        f"{path}: the store is damaged ({exc}) — stop zxfeed and restore the file from a backup, "
        f"or salvage what is left: sqlite3 {path} .recover | sqlite3 {path}.recovered, "
        f"then move {path}.recovered to {path}")


def write_failed(path: Path, exc: BaseException) -> StoreWriteError:
    """A write failure, said in words (the disk and the file are named)."""
    if _code(exc) == 13:
        why = f"the disk holding {path.parent} is full — free space there"
    elif _code(exc) == 8:
        why = f"{path} is read-only — let the zxfeed user write it and its folder"
    else:
        why = f"{path} cannot be written — check the disk and the folder's permissions"
    error = StoreWriteError(f"store not written: {exc} ({why})")
    if isinstance(code := getattr(exc, "sqlite_errorcode", None), int):
        error.sqlite_errorcode = code  # read by _code(), as on the error it stands for
    return error


def unreachable(url: str, exc: BaseException) -> StoreUnreachable:
    """The one line for a PostgreSQL server that cannot be reached (password left out)."""
    shown = re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreUnreachable(
        f"[storage] url = {shown}: 无法连接 PostgreSQL（{first}）— 检查服务器是否运行、"
        "数据库是否已创建（createdb），以及密码（PGPASSWORD 或 ~/.pgpass）")

"""The store: the one owner of SQL (schema and migrations, sources, items, stories, mail, subscriptions)."""

from .batch import MailBatch
from .core import Store
from .errors import (
    DatabaseError,
    StoreDamaged,
    StoreUnreachable,
    StoreWriteError,
    damaged,
    is_corrupt,
    is_write_failure,
    write_failed,
)
from .items import SaveResult
from .outbox import Pending
from .sources import SourceState

__all__ = [
    "DatabaseError", "MailBatch", "Pending", "SaveResult", "SourceState", "Store", "StoreDamaged",
    "StoreUnreachable", "StoreWriteError", "damaged", "is_corrupt", "is_write_failure", "write_failed",
]

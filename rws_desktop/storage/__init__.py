"""Storage: the register and audit log in SQLite or PostgreSQL, behind the ports in `core.ports`."""
from .database import Database, DatabaseTransaction, open_database
from .errors import StorageError
from .repositories import SqlAuditRepository, SqlRegisterRepository

__all__ = [
    "Database",
    "DatabaseTransaction",
    "SqlAuditRepository",
    "SqlRegisterRepository",
    "StorageError",
    "open_database",
]

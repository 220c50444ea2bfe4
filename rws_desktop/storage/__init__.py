"""Storage: the register and audit log in SQLite or PostgreSQL, behind the ports in `core.ports`."""
from .database import Database, DatabaseTransaction, open_database
from .errors import StorageError
from .audit_repository import SqlAuditRepository
from .register_repository import SqlRegisterRepository

__all__ = [
    "Database",
    "DatabaseTransaction",
    "SqlAuditRepository",
    "SqlRegisterRepository",
    "StorageError",
    "open_database",
]

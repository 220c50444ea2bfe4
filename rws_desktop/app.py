"""The composition root: builds the services the command line and the window share."""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from .core.audit_log import AuditLogService
from .core.batch import default_workers
from .core.channels import ChannelCatalogue
from .core.detection import FaceDetector
from .core.matching import MatchPolicy
from .core.mis_import import MisImportService
from .core.recognition import FaceEncoder
from .core.register import RegisterService
from .core.vetting import PhotoAnalyser
from .core.vetting_service import VettingService
from .core.year_end import YearEndService
from .paths import channels_file, default_database_url
from .storage import Database, open_database


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("RWS_DB") or default_database_url()


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


@dataclass
class App:
    database: Database
    channels: ChannelCatalogue
    user: str
    workers: int = 1

    @classmethod
    def open(cls, url: str | None = None, user: str | None = None, workers: int | None = None) -> "App":
        database = open_database(database_url(url))
        database.migrate()
        app = cls(database, ChannelCatalogue.from_toml(channels_file()), user or current_user(), workers or default_workers())
        # Biometric consent can lapse by date alone (an 18th birthday, a leaving date reached); the faces go then.
        app.register.purge_lapsed_reference_faces(date.today())
        return app

    @cached_property
    def detector(self) -> FaceDetector:
        return FaceDetector()

    @cached_property
    def encoder(self) -> FaceEncoder:
        return FaceEncoder()

    @cached_property
    def register(self) -> RegisterService:
        return RegisterService(self.database, self.channels, self.user)

    @cached_property
    def mis_import(self) -> MisImportService:
        return MisImportService(self.database, self.user)

    @cached_property
    def year_end(self) -> YearEndService:
        return YearEndService(self.database, self.user)

    @cached_property
    def vetting(self) -> VettingService:
        return VettingService(self.database, self.channels, PhotoAnalyser(self.detector, self.encoder, MatchPolicy()), self.workers)

    @cached_property
    def audit(self) -> AuditLogService:
        return AuditLogService(self.database)

    def close(self) -> None:
        self.database.close()

"""The composition root: builds the services the command line and the window share.

Nothing is built for a person until they sign in: `App.sign_in` sets `App.session`, and every
service below checks that session's roles itself.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from .core.kernel.permissions import NotAllowed
from .keys import default_key_store  # every App.open needs it (and tests replace it here)

if TYPE_CHECKING:  # the services are imported where first built, so a command loads only what it uses
    from .core.accounts.dpia import DpiaService
    from .core.accounts.passwords import PasswordHashing
    from .core.accounts.service import AccountAdminService, SignInService
    from .core.audit.log_service import AuditLogService
    from .core.audit.person_search import PersonSearch
    from .core.faces.detection import FaceDetector
    from .core.faces.recognition import FaceEncoder
    from .core.kernel.channel_admins import ChannelAdminService
    from .core.kernel.channels import ChannelCatalogue
    from .core.kernel.session import Session
    from .core.register.mis_import import MisImportService
    from .core.register.queries import RegisterQueries
    from .core.register.service import RegisterService
    from .core.register.year_end import YearEndService
    from .core.vetting.batch import WorkerPool
    from .core.vetting.review_service import ReviewService
    from .core.vetting.service import VettingService
    from .core.keys.ports import KeyStore
    from .core.keys.service import KeyTransferService
    from .core.keys.status import KeyStatus
    from .storage import Database

# Built for the signed-in person; forgotten when someone else signs in.
SESSION_SERVICES = ("register", "mis_import", "year_end", "vetting", "review", "queries", "audit", "accounts",
                    "channel_admins", "dpia", "people_search", "key_transfer")


def database_url(explicit: str | None = None) -> str:
    from .paths import default_database_url

    return explicit or os.environ.get("RWS_DB") or default_database_url()


@dataclass
class App:
    database: Database
    channels: ChannelCatalogue
    requested_workers: int | None = None  # worker processes asked for (rws vet --workers); None: the default
    key_store: KeyStore | None = None
    key_status: KeyStatus | None = None
    session: Session | None = None

    @classmethod
    def open(cls, url: str | None = None, workers: int | None = None, key_store: KeyStore | None = None,
             worker_pool: WorkerPool | None = None) -> "App":
        """`worker_pool`: worker processes already loading the face models (`rws vet` starts them before the
        database is opened), which the App then keeps and closes as its own."""
        from .core.kernel.channels import ChannelCatalogue
        from .core.kernel.session import Session
        from .core.keys.service import unlock_keys
        from .core.register.service import RegisterService
        from .paths import channels_file, data_dir
        from .storage import open_database

        database = open_database(database_url(url))
        database.migrate()
        keys = key_store or default_key_store(data_dir())
        app = cls(database, ChannelCatalogue.from_toml(channels_file()), workers, keys, unlock_keys(database, keys))
        if worker_pool is not None:
            app.__dict__["worker_pool"] = worker_pool  # the cached property's value from now on
        _encrypt_plain_thumbnails(database)  # does nothing unless both keys opened
        # Biometric consent can lapse by date alone (an 18th birthday, a leaving date reached); the faces go
        # then, whoever signs in. Deleting them needs no role.
        housekeeping = RegisterService(database, app.channels, Session.housekeeping(database, app.channels))
        housekeeping.purge_lapsed_reference_faces(date.today())
        return app

    @cached_property
    def workers(self) -> int:
        """Worker processes for a batch: those asked for, else one a core up to the memory budget. Worked out when
        first needed, so a command that vets nothing imports neither the workers' start-up module nor
        multiprocessing."""
        from .core.vetting.worker_start import default_workers

        return self.requested_workers or default_workers()

    @property
    def user(self) -> str:
        """The signed-in person's initials, as audit entries name them ("" before anyone signs in)."""
        return self.session.initials if self.session else ""

    @cached_property
    def sign_ins(self) -> SignInService:
        from .core.accounts.service import SignInService

        return SignInService(self.database, self.channels, self.hashing)

    @cached_property
    def hashing(self) -> PasswordHashing:
        from .core.accounts.passwords import PasswordHashing

        return PasswordHashing()

    def sign_in(self, initials: str, password: str) -> Session:
        session = self.sign_ins.sign_in(initials, password)
        for name in SESSION_SERVICES:
            self.__dict__.pop(name, None)
        self.session = session
        return session

    def sign_out(self) -> None:
        """Forget the signed-in person and every service built for them (File > Sign out). The worker processes
        stop too: they hold the last batch's register, reference encodings included, which must not outlive the
        session it was read for. The next person's sign-in warms them again (about a second)."""
        self.stop_workers()
        for name in SESSION_SERVICES:
            self.__dict__.pop(name, None)
        self.session = None

    def signed_in(self) -> Session:
        if self.session is None:
            raise NotAllowed("Nobody is signed in. Sign in first.")
        return self.session

    @cached_property
    def detector(self) -> FaceDetector:
        from .core.faces.detection import FaceDetector

        return FaceDetector()

    @cached_property
    def encoder(self) -> FaceEncoder:
        from .core.faces.recognition import FaceEncoder

        return FaceEncoder()

    @cached_property
    def register(self) -> RegisterService:
        from .core.register.service import RegisterService

        return RegisterService(self.database, self.channels, self.signed_in())

    @cached_property
    def mis_import(self) -> MisImportService:
        from .core.register.mis_import import MisImportService

        return MisImportService(self.database, self.signed_in())

    @cached_property
    def year_end(self) -> YearEndService:
        from .core.register.year_end import YearEndService

        return YearEndService(self.database, self.signed_in())

    @cached_property
    def vetting(self) -> VettingService:
        from .core.faces.matching import MatchPolicy
        from .core.vetting.analysis import PhotoAnalyser
        from .core.vetting.service import VettingService

        # Made when first needed: the window analyses only in worker processes, so never loads the models itself.
        analyser = lambda: PhotoAnalyser(self.detector, self.encoder, MatchPolicy())  # noqa: E731
        return VettingService(self.database, self.channels, analyser, self.signed_in(), self.workers,
                              pool=self.worker_pool)

    @cached_property
    def worker_pool(self) -> WorkerPool:
        """The worker processes that vet photos: one pool for the App's life, warm across a session's batches
        (between batches the workers hold the face models and the last batch's register). Its processes stop at
        sign-out and at `close`."""
        from .core.vetting.batch import WorkerPool

        return WorkerPool(self.workers)

    def warm_workers(self) -> None:
        """Start the workers loading the face models in the background and return at once, so the first
        batch finds them ready (the window calls it at sign-in; `rws vet` as soon as it knows the batch)."""
        self.worker_pool.warm_up()

    def stop_workers(self) -> None:
        """Stop the worker processes, if any run (when someone who may not vet signs in, and on close)."""
        if "worker_pool" in self.__dict__:
            self.worker_pool.close()

    @cached_property
    def review(self) -> ReviewService:
        from .core.vetting.review_service import ReviewService

        return ReviewService(self.database, self.channels, self.signed_in())

    @cached_property
    def queries(self) -> RegisterQueries:
        from .core.register.queries import RegisterQueries

        return RegisterQueries(self.database, self.signed_in())

    @cached_property
    def accounts(self) -> AccountAdminService:
        from .core.accounts.service import AccountAdminService

        return AccountAdminService(self.database, self.hashing, self.signed_in())

    @cached_property
    def channel_admins(self) -> ChannelAdminService:
        from .core.kernel.channel_admins import ChannelAdminService

        return ChannelAdminService(self.database, self.channels, self.signed_in())

    @cached_property
    def dpia(self) -> DpiaService:
        from .core.accounts.dpia import DpiaService

        return DpiaService(self.database, self.signed_in())

    @cached_property
    def key_transfer(self) -> KeyTransferService:
        from .core.keys.service import KeyTransferService

        return KeyTransferService(self.database, self.key_store, self.signed_in())

    @cached_property
    def people_search(self) -> PersonSearch:
        from .core.audit.person_search import PersonSearch

        return PersonSearch(self.database, self.signed_in())

    @cached_property
    def audit(self) -> AuditLogService:
        from .core.audit.log_service import AuditLogService

        return AuditLogService(self.database, self.signed_in())

    def hold_window_lock(self) -> None:
        """Called by the window: while it runs, `rws restore` refuses to replace its SQLite database."""
        from .storage import StorageError
        from .storage.backup import WindowLock, sqlite_path

        try:
            lock = WindowLock(sqlite_path(self.database))
        except StorageError:
            return  # PostgreSQL: restores go through pg_restore, not this app
        if lock.acquire():
            self._window_lock = lock

    def close(self) -> None:
        self.stop_workers()  # worker processes kept warm by the window
        lock = self.__dict__.pop("_window_lock", None)
        if lock is not None:
            lock.release()
        self.database.close()


def _encrypt_plain_thumbnails(database: Database) -> None:
    """Thumbnails an older version stored in plain JPEG, encrypted once both keys are here (migration 0008).
    A failure (the database busy for too long) must not stop the start: the next start tries again."""
    from .storage.errors import StorageError
    from .storage.thumbnail_encryption import encrypt_plain_thumbnails

    try:
        encrypt_plain_thumbnails(database)
    except StorageError as error:
        logging.getLogger(__name__).warning("Plain face thumbnails could not be encrypted yet: %s", error)

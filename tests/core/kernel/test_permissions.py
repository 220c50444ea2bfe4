"""Who may do what, enforced in the core: every role against every action, channel authorisation, and
every public service method checking the session before it does anything."""
from __future__ import annotations

import inspect
from datetime import date
from unittest.mock import MagicMock

import pytest

from register_helpers import audit_entries
from rws_desktop.core.accounts.service import AccountAdminService
from rws_desktop.core.audit.log_service import AuditFilter, AuditLogService
from rws_desktop.core.kernel.channel_admins import ChannelAdminService
from rws_desktop.core.faces.detection import FaceDetector
from rws_desktop.core.accounts.dpia import DpiaService
from rws_desktop.core.register.mis_import import MisImportService
from rws_desktop.core.accounts.passwords import PasswordHashing
from rws_desktop.core.kernel.permissions import Action, NotAllowed, Role
from rws_desktop.core.kernel.ports import NewPerson, Store
from rws_desktop.core.faces.recognition import FaceEncoder
from rws_desktop.core.register.service import RegisterService
from rws_desktop.core.register.queries import RegisterQueries
from rws_desktop.core.vetting.review_service import ReviewService
from rws_desktop.core.kernel.session import Session
from rws_desktop.core.vetting.analysis import PhotoAnalyser
from rws_desktop.core.vetting.service import VettingService
from rws_desktop.core.register.year_end import YearEndService
from rws_desktop.core.keys.service import KeyTransferService
from rws_desktop.backups import make_backup
from rws_desktop.keys import MemoryKeyStore
from rws_desktop.core.keys.reference_face_key import unlock_reference_faces
from sessions import record_dpia, signed_in

TODAY = date(2026, 11, 24)
# One account per role. MSN is an admin of Instagram in the policy; the rest administer no channel.
ACCOUNT_FOR = {Role.COMMS: "MSN", Role.OFFICE: "OFF", Role.AUDITOR: "AUD", Role.ADMIN: "ADM"}

# The table, written out here rather than read from core.permissions, so a change there must be
# made on purpose in both places.
EXPECTED = {
    Action.VIEW_SETUP: {Role.COMMS, Role.OFFICE, Role.AUDITOR, Role.ADMIN},
    Action.CHANGE_OWN_PASSWORD: {Role.COMMS, Role.OFFICE, Role.AUDITOR, Role.ADMIN},
    Action.VET: {Role.COMMS, Role.ADMIN},
    Action.EXPORT: {Role.COMMS, Role.ADMIN},
    Action.READ_REGISTER: {Role.OFFICE},
    Action.CHANGE_REGISTER: {Role.OFFICE},
    Action.ENROL_FACES: {Role.OFFICE},
    Action.READ_AUDIT: {Role.AUDITOR},
    Action.EXPORT_AUDIT: {Role.AUDITOR},
    Action.MANAGE_ACCOUNTS: {Role.ADMIN},
    Action.SET_CHANNEL_ADMINS: {Role.ADMIN},
    Action.RECORD_DPIA: {Role.ADMIN},
    Action.MANAGE_KEY: {Role.ADMIN},
    Action.BACK_UP: {Role.ADMIN},
}


@pytest.fixture
def store(sqlite_store):
    """The real database: backups and key export need one."""
    return sqlite_store


@pytest.fixture
def person(store, channels) -> int:
    """Someone with biometric consent, ready to enrol, after the DPIA was recorded."""
    record_dpia(store)
    office = signed_in(store, channels, "REG", Role.OFFICE)
    register = RegisterService(store, channels, office)
    person = register.add_person(NewPerson("Ezra Quill"), TODAY)
    register.set_biometric_consent(person.id, TODAY, parent_consent=True)
    return person.id


def attempt(action: Action, session: Session, store, channels, person: int, tmp_path) -> None:
    """Do `action` through the core service that offers it, as `session`."""
    if action is Action.VIEW_SETUP:
        ChannelAdminService(store, channels, session).lists()
    elif action is Action.CHANGE_OWN_PASSWORD:
        AccountAdminService(store, PasswordHashing(), session).change_own_password("a brand new password 1")
    elif action is Action.VET:
        ReviewService(store, channels, session).candidates("instagram", "", TODAY)
    elif action is Action.EXPORT:
        ReviewService(store, channels, session).export([], "instagram", tmp_path / "out", TODAY)
    elif action is Action.READ_REGISTER:
        RegisterService(store, channels, session).people()
    elif action is Action.CHANGE_REGISTER:
        RegisterService(store, channels, session).add_person(NewPerson("Ada Birch"), TODAY)
    elif action is Action.ENROL_FACES:
        detector, encoder = MagicMock(spec=FaceDetector), MagicMock(spec=FaceEncoder)
        assert RegisterService(store, channels, session).enrol(person, [], detector, encoder, TODAY) == []
    elif action is Action.READ_AUDIT:
        AuditLogService(store, session).chain_status()
    elif action is Action.EXPORT_AUDIT:
        AuditLogService(store, session).export_csv(AuditFilter(), tmp_path / "log.csv")
    elif action is Action.MANAGE_ACCOUNTS:
        AccountAdminService(store, PasswordHashing(), session).accounts()
    elif action is Action.SET_CHANNEL_ADMINS:
        ChannelAdminService(store, channels, session).set_admins("art-instagram", ["TRH", "MSN"])
    elif action is Action.RECORD_DPIA:
        DpiaService(store, session).record("DPIA-2", TODAY, "Test DPO", TODAY)
    elif action is Action.MANAGE_KEY:
        keys = MemoryKeyStore()
        unlock_reference_faces(store, keys)
        KeyTransferService(store, keys, session).export(tmp_path / "key.rwskey", "a passphrase for the key")
    elif action is Action.BACK_UP:
        make_backup(store, session, tmp_path / "backup.sqlite3")
    else:
        raise AssertionError(f"no attempt written for {action}")


def test_the_expected_table_names_every_action():
    """The table below covers each action the core knows, so none can be added without deciding who may do it."""
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_role_against_every_action(role, action, store, channels, person, tmp_path):
    """Each role may do exactly what the issue's table says; anything else is refused in plain words and the
    refusal is an audit entry naming who, what and why."""
    session = signed_in(store, channels, ACCOUNT_FOR[role], role)
    before = len(audit_entries(store))
    if role in EXPECTED[action]:
        attempt(action, session, store, channels, person, tmp_path)
        assert not [e for e in audit_entries(store)[before:] if e["kind"] == "action_refused"]
        return
    with pytest.raises(NotAllowed) as refused:
        attempt(action, session, store, channels, person, tmp_path)
    assert session.initials in str(refused.value)
    refusals = [e for e in audit_entries(store)[before:] if e["kind"] == "action_refused"]
    assert len(refusals) == 1
    assert refusals[0]["user"] == session.initials and refusals[0]["action"] == action.value
    assert refusals[0]["reason"] == str(refused.value)


def test_a_person_may_hold_several_roles(store, channels, person):
    """Office and auditor together may change the register and verify the log, and still not manage accounts."""
    session = signed_in(store, channels, "MIX", Role.OFFICE, Role.AUDITOR)
    RegisterService(store, channels, session).add_person(NewPerson("Ada Birch"), TODAY)
    assert AuditLogService(store, session).chain_status().ok
    with pytest.raises(NotAllowed, match="admin role"):
        AccountAdminService(store, PasswordHashing(), session).accounts()


def test_only_a_channels_admins_or_an_admin_may_vet_for_it(store, channels, tmp_path):
    """MSN (comms) may vet for Instagram but not the Art Department's channel until an admin adds MSN to its
    list; an admin may vet for any channel; the change of list is audited with before and after."""
    msn, admin = signed_in(store, channels, "MSN", Role.COMMS), signed_in(store, channels, "ADM", Role.ADMIN)
    ReviewService(store, channels, msn).candidates("instagram")
    with pytest.raises(NotAllowed, match=r"RWS Art Department: only its admins \(TRH\)"):
        ReviewService(store, channels, msn).candidates("art-instagram")
    ReviewService(store, channels, admin).candidates("art-instagram")

    ChannelAdminService(store, channels, admin).set_admins("art-instagram", ["trh", "MSN"])
    ReviewService(store, channels, msn).export([], "art-instagram", tmp_path / "out")
    change = [e for e in audit_entries(store) if e["kind"] == "channel_admins_changed"][-1]
    assert (change["user"], change["channel"], change["before"], change["after"]) == ("ADM", "art-instagram", ["TRH"], ["TRH", "MSN"])

    ChannelAdminService(store, channels, admin).set_admins("instagram", [])
    with pytest.raises(NotAllowed, match="only its admins \\(nobody\\)"):
        ReviewService(store, channels, msn).candidates("instagram")


def test_a_channel_not_accepting_photos_blocks_every_photo_even_for_an_admin(store, channels, tmp_path):
    """The Geography Instagram is not live: an admin may ask, but the vetting pipeline blocks the photo and writes nothing."""
    from PIL import Image

    photo = tmp_path / "a.jpg"
    Image.new("RGB", (64, 64), "white").save(photo)
    admin = signed_in(store, channels, "ADM", Role.ADMIN)
    analyser = PhotoAnalyser(MagicMock(spec=FaceDetector), MagicMock(spec=FaceEncoder))
    (result,) = VettingService(store, channels, analyser, admin).vet([photo], "geography-instagram", tmp_path / "out")
    assert result.decision.value == "blocked" and "not live" in result.reason and result.output is None


def test_a_lock_or_a_role_taken_away_counts_at_once_for_someone_signed_in(store, channels):
    """Checks read the account afresh: once an admin locks OFF or takes the office role away, OFF's session is refused."""
    office = signed_in(store, channels, "OFF", Role.OFFICE)
    admin = signed_in(store, channels, "ADM", Role.ADMIN)
    register = RegisterService(store, channels, office)
    register.people()
    accounts = AccountAdminService(store, PasswordHashing(), admin)
    accounts.set_roles("OFF", ["auditor"])
    with pytest.raises(NotAllowed, match="needs the office role"):
        register.people()
    accounts.set_roles("OFF", ["office"])
    accounts.lock("OFF")
    with pytest.raises(NotAllowed, match="locked by an admin"):
        register.people()


def test_a_temporary_password_must_be_changed_before_anything_else(store, channels):
    """With must_change_password set, every action but changing one's own password is refused and audited."""
    newcomer = signed_in(store, channels, "NEW", Role.OFFICE, must_change_password=True)
    with pytest.raises(NotAllowed, match="must choose a new password"):
        RegisterService(store, channels, newcomer).people()
    AccountAdminService(store, PasswordHashing(), newcomer).change_own_password("my very own password")
    assert RegisterService(store, channels, newcomer).people() == []
    refused, changed = audit_entries(store)[-2:]
    assert (refused["kind"], refused["user"], changed["kind"]) == ("action_refused", "NEW", "password_changed")


def test_the_housekeeping_session_may_only_delete_what_must_go(store, channels):
    """The app's own start-up session holds no role: it purges lapsed faces but is refused anything else."""
    housekeeping = Session.housekeeping(store, channels)
    register = RegisterService(store, channels, housekeeping)
    assert register.purge_lapsed_reference_faces(TODAY) == {}
    with pytest.raises(NotAllowed):
        register.people()


GUARDED_SERVICES = [RegisterService, MisImportService, YearEndService, VettingService, ReviewService, AuditLogService,
                    RegisterQueries, AccountAdminService, ChannelAdminService, DpiaService, KeyTransferService]
# Public methods that need no role, each for a reason.
NEEDS_NO_ROLE = {
    (RegisterService, "purge_lapsed_reference_faces"),  # deleting biometric data that may no longer be held
}


def public_methods(service):
    return [(name, member) for name, member in inspect.getmembers(service, inspect.isfunction)
            if not name.startswith("_") and (service, name) not in NEEDS_NO_ROLE]


def test_every_public_service_method_declares_what_it_needs():
    """A method added to a service without a permission check fails here, until it is given one."""
    unguarded = [f"{service.__name__}.{name}" for service in GUARDED_SERVICES for name, method in public_methods(service)
                 if not getattr(method, "required_actions", ())]
    assert unguarded == []


@pytest.mark.parametrize("service", GUARDED_SERVICES, ids=lambda s: s.__name__)
def test_every_public_service_method_checks_before_touching_the_store(service):
    """Called by someone refused, every public method raises NotAllowed before opening any transaction."""
    store = MagicMock(spec=Store)
    session = MagicMock(spec=Session)
    session.initials = "NOB"
    session.require.side_effect = NotAllowed("refused")
    parameters = inspect.signature(service.__init__).parameters
    arguments = {name: (session if name == "session" else store if name == "store" else MagicMock())
                 for name in list(parameters)[1:] if parameters[name].default is inspect.Parameter.empty}
    instance = service(**arguments)
    for name, method in public_methods(service):
        required = [p for p in list(inspect.signature(method).parameters.values())[1:]
                    if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
        with pytest.raises(NotAllowed):
            getattr(instance, name)(*[None] * len(required))
        assert not store.transaction.called, f"{service.__name__}.{name} opened a transaction before the check"

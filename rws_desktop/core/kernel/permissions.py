"""Who may do what: the roles, the actions, and the one table joining them.

Every service in the core checks the signed-in session before it acts (see `requires`); the
window and the command line only mirror these answers. What an admin implies is decided
here and nowhere else:

- admin may vet and export for every channel (the policy: the Headteacher and Deputy
  authorise posting), besides accounts, channel admin lists, the DPIA and the key;
- admin does not imply office (the register of children's biometric data stays with the
  office) nor auditor (the auditor checks the admins too). One person may hold several roles.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from typing import Callable, Iterable

from .channels import Channel


class Role(str, Enum):
    COMMS = "comms"
    OFFICE = "office"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(str, Enum):
    VIEW_SETUP = "view_setup"
    CHANGE_OWN_PASSWORD = "change_own_password"
    VET = "vet"
    EXPORT = "export"
    READ_REGISTER = "read_register"
    CHANGE_REGISTER = "change_register"
    ENROL_FACES = "enrol_faces"
    READ_AUDIT = "read_audit"
    EXPORT_AUDIT = "export_audit"
    MANAGE_ACCOUNTS = "manage_accounts"
    SET_CHANNEL_ADMINS = "set_channel_admins"
    RECORD_DPIA = "record_dpia"
    MANAGE_KEY = "manage_key"
    BACK_UP = "back_up"


# In plain words, to finish "MSN may not ...".
ACTION_WORDS = {
    Action.VIEW_SETUP: "see the channels and the app's set-up",
    Action.CHANGE_OWN_PASSWORD: "change their own password",
    Action.VET: "vet photos",
    Action.EXPORT: "export safe copies",
    Action.READ_REGISTER: "see the consent register",
    Action.CHANGE_REGISTER: "change the consent register",
    Action.ENROL_FACES: "enrol reference faces",
    Action.READ_AUDIT: "read or verify the audit log",
    Action.EXPORT_AUDIT: "export the audit log",
    Action.MANAGE_ACCOUNTS: "manage user accounts",
    Action.SET_CHANNEL_ADMINS: "change who administers a channel",
    Action.RECORD_DPIA: "record the data protection impact assessment",
    Action.MANAGE_KEY: "export or import the reference-face key",
    Action.BACK_UP: "back up or restore the database",
}

EVERYONE = frozenset({Action.VIEW_SETUP, Action.CHANGE_OWN_PASSWORD})
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.COMMS: frozenset({Action.VET, Action.EXPORT}),
    Role.OFFICE: frozenset({Action.READ_REGISTER, Action.CHANGE_REGISTER, Action.ENROL_FACES}),
    Role.AUDITOR: frozenset({Action.READ_AUDIT, Action.EXPORT_AUDIT}),
    Role.ADMIN: frozenset({Action.MANAGE_ACCOUNTS, Action.SET_CHANNEL_ADMINS, Action.RECORD_DPIA, Action.MANAGE_KEY,
                           Action.BACK_UP, Action.VET, Action.EXPORT}),
}
# Actions done for one channel: the person must also be one of its admins, or hold the admin role.
CHANNEL_ACTIONS = frozenset({Action.VET, Action.EXPORT})


class NotAllowed(Exception):
    """An action the signed-in person may not do, explained with what to do instead."""


def roles_for(action: Action) -> list[Role]:
    return [role for role in Role if action in ROLE_ACTIONS[role]]


def role_allows(roles: Iterable[Role], action: Action) -> bool:
    return action in EVERYONE or any(action in ROLE_ACTIONS[Role(role)] for role in roles)


@dataclass(frozen=True)
class Standing:
    """What a check needs to know about the person, read fresh from the store for every check. A lockout after
    wrong passwords only stops signing in: someone already signed in is not stopped by another's guesses."""

    initials: str
    roles: frozenset[Role]
    locked: bool = False  # by an admin
    must_change_password: bool = False


def refusal(standing: Standing | None, action: Action, channel: Channel | None = None,
            channel_admins: tuple[str, ...] = ()) -> str | None:
    """Why `standing` may not do `action` (for `channel`), or None when they may. Pure: no storage."""
    if standing is None:
        return "Nobody is signed in with an account that still exists. Sign in again."
    who = standing.initials
    if standing.locked:
        return f"The account {who} has been locked by an admin, so it can do nothing until an admin unlocks it."
    if standing.must_change_password and action is not Action.CHANGE_OWN_PASSWORD:
        return (f"{who} must choose a new password before doing anything else (the one given was temporary). "
                f"Change it with: rws --user {who} user passwd")
    if not role_allows(standing.roles, action):
        needed = " or ".join(role.value for role in roles_for(action))
        return (f"{who} may not {ACTION_WORDS[action]}: that needs the {needed} role. "
                "If your job needs it, ask an admin to add the role to your account.")
    if action in CHANNEL_ACTIONS:
        if channel is None:
            return f"{who} may not {ACTION_WORDS[action]} without naming the channel."
        if Role.ADMIN not in standing.roles and who not in channel_admins:
            listed = ", ".join(channel_admins) or "nobody"
            return (f"{who} may not {ACTION_WORDS[action]} for {channel.name}: only its admins ({listed}) or "
                    "the Headteacher or Deputy may. Ask an admin to add you to the channel if you should post there.")
    return None


def requires(action: Action, *, channel_arg: str | None = None) -> Callable:
    """Marks a service method as needing `action`, checked against `self.session` before it runs.
    `channel_arg` names the parameter holding the channel key, for actions done for one channel."""

    def decorate(method: Callable) -> Callable:
        signature = inspect.signature(method)

        @wraps(method)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            service = bound.arguments["self"]
            channel_key = bound.arguments.get(channel_arg) if channel_arg else None
            session = getattr(service, "session", None)
            if session is None or not hasattr(session, "require"):
                raise NotAllowed("Nobody is signed in. Sign in first.")
            session.require(action, channel_key)
            return method(*args, **kwargs)

        checked.required_actions = (*getattr(method, "required_actions", ()), action)
        return checked

    return decorate

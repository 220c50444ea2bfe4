"""`rws` commands for accounts, signing in, channel admin lists, the DPIA and the reference-face key.

Who you are: `rws --user INITIALS ...` (or $RWS_USER); the password comes from $RWS_PASSWORD
or is asked for. A new password (first admin, new account, password change) comes from
$RWS_NEW_PASSWORD or is asked for twice. The passphrase sealing a key file comes from
$RWS_KEY_PASSPHRASE or is asked for (twice when exporting).
"""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_register import iso_date
from .core.kernel.account_rules import AccountError
from .core.kernel.permissions import Action, Role

if TYPE_CHECKING:
    from .app import App
    from .cli_parsing import CommandParsers

NEW_PASSWORD_VARIABLE = "RWS_NEW_PASSWORD"
PASSWORD_VARIABLE = "RWS_PASSWORD"
KEY_PASSPHRASE_VARIABLE = "RWS_KEY_PASSPHRASE"
USER_VARIABLE = "RWS_USER"
ROLE_CHOICES = [role.value for role in Role]


class CommandLineError(AccountError):
    """Something missing from what was typed, explained."""


def add_user_option(parser) -> None:
    parser.add_argument("--user", metavar="INITIALS",
                        help=f"who you are (default: ${USER_VARIABLE}); the password comes from ${PASSWORD_VARIABLE} or is asked for")


def add_init_options(init) -> None:
    init.add_argument("--admin", metavar="INITIALS", help="create the first admin account (only while there is none)")
    init.add_argument("--name", help="the first admin's full name")


def add_channel_actions(channels) -> None:
    actions = channels.add_subparsers(dest="action", required=False, metavar="ACTION")
    admins = actions.add_parser("admins", help="show or change who may vet and export for a channel")
    admins.add_argument("channel", metavar="KEY")
    admins.add_argument("--set", metavar="INITIALS,...", help="the channel's new admin list (empty: admins only)")


def add_account_commands(commands: CommandParsers) -> None:
    if user := commands.add_actions("user", "user accounts"):
        add = user.add_parser("add", help="add an account; its first password must be changed at its first sign-in")
        add.add_argument("initials")
        add.add_argument("--name", required=True)
        add.add_argument("--role", action="append", choices=ROLE_CHOICES, required=True, help="repeat for several roles")
        user.add_parser("list", help="every account, its roles and whether it is locked")
        for name, words in (("lock", "stop an account signing in"), ("unlock", "let a locked account sign in again")):
            user.add_parser(name, help=words).add_argument("initials")
        passwd = user.add_parser("passwd", help="change your own password, or give someone a temporary one")
        passwd.add_argument("initials", nargs="?", help="someone else's account (admins only)")
        roles = user.add_parser("roles", help="set an account's roles")
        roles.add_argument("initials")
        roles.add_argument("--role", action="append", choices=ROLE_CHOICES, required=True)

    if dpia := commands.add_actions("dpia", "the data protection impact assessment"):
        record = dpia.add_parser("record", help="record the DPIA and the DPO's sign-off; recognition stays off until then")
        record.add_argument("--reference", required=True)
        record.add_argument("--date", required=True, type=iso_date)
        record.add_argument("--dpo", required=True, metavar="NAME", help="the data protection officer who signed it off")
        dpia.add_parser("show", help="whether a DPIA is recorded")

    if key := commands.add_actions("key", "the key that encrypts reference faces"):
        key.add_parser("status", help="whether this computer holds the key")
        export = key.add_parser("export", help="write the key to a file sealed with a passphrase, to import on another "
                                               "PC sharing the database (the window's Admin > Reference-face key reads it too)")
        export.add_argument("--out", required=True, type=Path)
        key.add_parser("import", help="keep a key exported from another PC, by rws or the window").add_argument("file", type=Path)


def sign_in(app: App, args) -> None:
    if not app.sign_ins.has_accounts():
        raise CommandLineError('There are no accounts yet. Create the first admin with: rws init --admin INITIALS --name "Full Name"')
    initials = args.user or os.environ.get(USER_VARIABLE)
    if not initials:
        raise CommandLineError(f"Say who you are: rws --user INITIALS COMMAND (or set {USER_VARIABLE}). "
                               f"The password comes from {PASSWORD_VARIABLE} or is asked for.")
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = _ask(f"Password for {initials.strip().upper()}: ", PASSWORD_VARIABLE)
    app.sign_in(initials, password)


def cmd_init_admin(app: App, args) -> int:
    if not args.name:
        raise CommandLineError('Give the first admin\'s full name: rws init --admin INITIALS --name "Full Name"')
    account = app.sign_ins.create_first_admin(args.admin, args.name, new_password())
    print(f"First admin {account.initials} created. Sign in with: rws --user {account.initials} COMMAND")
    return 0


def cmd_user(app: App, args) -> int:
    accounts = app.accounts
    if args.action == "add":
        account = accounts.add_account(args.initials, args.name, args.role, new_password())
        print(f"Account {account.initials} added ({', '.join(_roles(account.roles))}); "
              "the password must be changed at the first sign-in.")
    elif args.action == "list":
        from .core.accounts.service import utc_now

        now = utc_now()
        for account in accounts.accounts():
            print(f"{account.initials:<6} {account.name:<30} {','.join(_roles(account.roles)):<28} {_state(account, now)}".rstrip())
    elif args.action == "lock":
        print(f"Account {accounts.lock(args.initials).initials} locked.")
    elif args.action == "unlock":
        print(f"Account {accounts.unlock(args.initials).initials} unlocked.")
    elif args.action == "roles":
        account = accounts.set_roles(args.initials, args.role)
        print(f"Account {account.initials} now has: {', '.join(_roles(account.roles))}.")
    elif args.initials and args.initials.strip().upper() != app.user:
        account = accounts.reset_password(args.initials, new_password())
        print(f"Temporary password set for {account.initials}; it must be changed at the next sign-in.")
    else:
        accounts.change_own_password(new_password())
        print("Your password is changed.")
    return 0


def cmd_channel_admins(app: App, args) -> int:
    if args.set is not None:
        listed = app.channel_admins.set_admins(args.channel, args.set.split(","))
    else:
        listed = next(item for item in app.channel_admins.lists() if item.channel.key == app.channels.get(args.channel).key)
    source = "as in the policy" if listed.from_policy else f"set by {listed.changed.changed_by}"
    print(f"{listed.channel.name}: {', '.join(listed.admins) or 'admins only'} ({source})")
    if args.set is not None:
        known = {account.initials for account in app.accounts.accounts()}  # whoever may set a list may see the accounts
        unknown = [i for i in listed.admins if i not in known]
        if unknown:
            print(f"No account yet for: {', '.join(unknown)} (add one with rws user add).")
    return 0


def cmd_dpia(app: App, args) -> int:
    if args.action == "record":
        record = app.dpia.record(args.reference, args.date, args.dpo)
        print(f"DPIA {record.reference} of {record.assessed_on.isoformat()}, signed off by {record.dpo_name}, recorded. "
              "Face recognition is now on.")
        return 0
    record = app.dpia.current()
    if record is None:
        print("No DPIA recorded: face recognition is off and every face is blurred unless shown by hand.")
    else:
        print(f"DPIA {record.reference} of {record.assessed_on.isoformat()}, signed off by {record.dpo_name}; "
              f"recorded by {record.recorded_by}. Face recognition is on.")
    return 0


def cmd_key(app: App, args) -> int:
    session = app.signed_in()
    if args.action == "export":
        session.require(Action.MANAGE_KEY)  # before asking for a passphrase
        passphrase = key_passphrase(exporting=True)
        try:
            key_id = app.key_transfer.export(args.out, passphrase)
        except OSError as error:  # a folder that does not exist or cannot be written, a full disk
            raise CommandLineError(f"The key file could not be written to {args.out}: {error.strerror or error}. "
                                   "No key was exported; choose a folder you can write to.") from None
        print(f"Key {key_id} written to {args.out}, sealed with the passphrase. Carry it to the other PC, import it "
              "there with rws key import FILE (or Admin > Reference-face key) and the same passphrase, then delete the file.")
    elif args.action == "import":
        from .core.keys.key_file import needs_passphrase

        session.require(Action.MANAGE_KEY)
        passphrase = key_passphrase(exporting=False) if needs_passphrase(args.file) else None
        app.key_status = app.key_transfer.import_file(args.file, passphrase)
        print(app.key_status.message)
    else:
        session.require(Action.VIEW_SETUP)
        print(app.key_status.message)
    return 0


def key_passphrase(exporting: bool) -> str:
    passphrase = os.environ.get(KEY_PASSPHRASE_VARIABLE)
    if passphrase is not None:
        return passphrase
    first = _ask("Passphrase for the key file: ", KEY_PASSPHRASE_VARIABLE)
    if exporting and _ask("The same again: ", KEY_PASSPHRASE_VARIABLE) != first:
        raise CommandLineError("The two passphrases were not the same; no key file was written.")
    return first


def new_password() -> str:
    password = os.environ.get(NEW_PASSWORD_VARIABLE)
    if password is not None:
        return password
    first = _ask("New password: ", NEW_PASSWORD_VARIABLE)
    if _ask("The same again: ", NEW_PASSWORD_VARIABLE) != first:
        raise CommandLineError("The two passwords were not the same; nothing was changed.")
    return first


def _ask(prompt: str, variable: str) -> str:
    if not sys.stdin.isatty():
        what = "passphrase" if variable == KEY_PASSPHRASE_VARIABLE else "password"
        raise CommandLineError(f"No {what} given: set {variable}, or run rws in a terminal to be asked.")
    return getpass.getpass(prompt)


def _roles(roles) -> list[str]:
    return [role.value for role in Role if role in roles]


def _state(account, now) -> str:
    if account.locked:
        return "locked by an admin"
    if account.locked_until and now < account.locked_until:
        return f"locked until {account.locked_until.astimezone():%H:%M} (wrong passwords)"
    return "must change password" if account.must_change_password else "active"


ACCOUNT_COMMANDS = {"user": cmd_user, "dpia": cmd_dpia, "key": cmd_key}

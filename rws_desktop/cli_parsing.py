"""Building `rws`'s argument parser: only the command typed is built in full.

argparse makes a parser for every command and sub-action (about 150 of them) with every option, which took a
fiftieth of a second at every start, and some options' choices import modules of the register; a command line
names one command. The others are still listed by name and help, which is all that `rws --help` and the message
for a mistyped command show, so what anyone sees is the same.
"""
from __future__ import annotations

import argparse

# Options of `rws` itself that take a value, which may stand before the command.
VALUE_OPTIONS = ("--db", "--user")


class CommandParsers:
    """`rws`'s subcommands. `add` lists a command, and returns its parser to fill in, or None when the command line
    names another command (no one will read this one's options)."""

    def __init__(self, commands: argparse._SubParsersAction, typed: str | None):
        self._commands = commands
        self.typed = typed
        self.names: list[str] = []

    def add(self, name: str, help: str) -> argparse.ArgumentParser | None:
        parser = self._commands.add_parser(name, help=help)
        self.names.append(name)
        return parser if self.typed is None or self.typed == name else None

    def add_actions(self, name: str, help: str, required: bool = True) -> argparse._SubParsersAction | None:
        """A command with actions (`rws user add`, `rws user list`...): their subparsers, or None as for `add`."""
        parser = self.add(name, help)
        return parser.add_subparsers(dest="action", required=required) if parser else None


def typed_command(argv: list[str]) -> str | None:
    """The first word of the command line that is neither an option nor an option's value: the command, if the
    line names one; None if there is no such word."""
    words = iter(argv)
    for word in words:
        if word in VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None

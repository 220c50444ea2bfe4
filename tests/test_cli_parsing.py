"""`rws`'s parser is built in full only for the command typed: what anyone sees and what a command line means are
the same as with the whole parser."""
from __future__ import annotations

import contextlib
import io

import pytest

from rws_desktop.cli import _parser, build_parser
from rws_desktop.cli_parsing import typed_command


def _full():
    return _parser(None)[0]


def _commands(parser) -> dict:
    return parser._subparsers._group_actions[0].choices


def _answer(parser, argv: list[str]) -> str:
    """What parsing `argv` prints (help, usage, an error) and the namespace it gives, as text."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            namespace = parser.parse_args(argv)
        except SystemExit as exit:
            return f"{printed.getvalue()}exit {exit.code}"
    return f"{printed.getvalue()}{sorted(vars(namespace).items(), key=str)}"


def _command_lines() -> list[list[str]]:
    lines = [["--help"], [], ["chanels"], ["--version"], ["--user", "channels"], ["--db=sqlite://", "channels"]]
    for name, parser in _commands(_full()).items():
        lines += [[name, "--help"], [name], [name, "--nonsense"], ["--db", "sqlite://", "--user", "AB", name]]
        actions = [action for action in parser._actions if type(action).__name__ == "_SubParsersAction"]
        lines += [[name, action, "--help"] for action in (actions[0].choices if actions else ())]
    lines += [["channels", "admins", "instagram", "--set", "AB,CD"], ["person", "list", "--sort", "name", "--json"],
              ["consent", "expiring"], ["vet", "a.jpg", "--channel", "x", "--out", "o", "--workers", "2"],
              ["audit", "export", "--out", "log.csv", "--from", "2026-01-02"], ["setup", "database", "sqlite"],
              ["post", "a.jpg", "--channel", "x", "--caption", "Hi", "--out", "o"], ["user", "roles", "AB", "--role", "office"]]
    return lines


@pytest.mark.parametrize("argv", _command_lines(), ids=" ".join)
def test_the_parser_built_for_a_command_line_reads_it_as_the_whole_parser_does(argv):
    """For every command and action: its help, a bare or wrong use, `rws --help`, a mistyped command, and real
    command lines print and mean exactly what they do with every command built."""
    assert _answer(build_parser(argv), argv) == _answer(_full(), argv)


def test_only_the_command_typed_is_built_and_the_rest_are_listed_by_name_and_help():
    """Given `rws channels`, every command is still listed (with its help, for `rws --help` and mistyped commands),
    but only `channels` has options; without a command line, or when none can be told, every command is built."""
    lazy = _commands(build_parser(["--user", "AB", "channels"]))
    assert list(lazy) == list(_commands(_full()))
    built = {name for name, parser in lazy.items() if len(parser._actions) > 1}  # more than --help
    assert built == {"channels"}
    for argv in (None, [], ["--db"], ["nonsense"]):
        assert all(len(parser._actions) > 1 for parser in _commands(build_parser(argv)).values())


def test_the_command_is_the_first_word_that_is_neither_an_option_nor_its_value():
    """--db and --user take a value (also written --db=URL); other options take none."""
    assert typed_command(["--db", "channels", "--user", "AB", "person", "list"]) == "person"
    assert typed_command(["--db=sqlite://", "-h", "vet", "x.jpg"]) == "vet"
    assert typed_command(["--version"]) is None and typed_command([]) is None


def test_the_register_modules_behind_person_and_consent_options_load_only_for_those_commands():
    """The choices of `rws person list --sort` and the default of `rws consent expiring --days` come from the
    register's people_query and expiry modules: in a fresh interpreter, parsing `rws channels` imports neither;
    parsing `rws person list` and `rws consent expiring` imports them."""
    import subprocess
    import sys

    script = ("import sys\n"
              "from rws_desktop.cli import build_parser\n"
              "wanted = ('rws_desktop.core.register.people_query', 'rws_desktop.core.register.expiry')\n"
              "for argv in (['channels'], ['person', 'list'], ['consent', 'expiring']):\n"
              "    build_parser(argv).parse_args(argv)\n"
              "    print(' '.join(argv), sorted(name for name in wanted if name in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "channels []",
        "person list ['rws_desktop.core.register.people_query']",
        "consent expiring ['rws_desktop.core.register.expiry', 'rws_desktop.core.register.people_query']",
    ]

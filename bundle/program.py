"""The bundle's program: the window, or the command line (`rws`, as `[project.scripts] rws` is in an install)
when started under the name `rws`.

On Windows the bundle holds two programs built from this script: `RWS Photo Check.exe` (no console) and
`rws.exe` (a console program). On Linux and macOS, where the console flag changes nothing, it holds one,
`RWS Photo Check`, and `rws` is a symbolic link to it: each program carries every Python module the app
uses (14 MB), so a second one would store them twice.
"""
import multiprocessing


def runs_command_line(started_as: str) -> bool:
    """Whether the program started as `started_as` (its argv[0], a name or a path) is `rws`."""
    name = started_as.replace("\\", "/").rsplit("/", 1)[-1]
    return name.lower() in ("rws", "rws.exe")


if __name__ == "__main__":
    # First, before any heavy import: in the bundle a worker process is this same program, and
    # freeze_support() turns it into the worker and never returns.
    multiprocessing.freeze_support()
    import sys

    if runs_command_line(sys.argv[0]):
        from rws_desktop.cli import main
    else:
        from rws_desktop.ui.main import main

    raise SystemExit(main())

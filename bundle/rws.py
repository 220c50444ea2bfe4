"""The bundle's `rws` program: the command line, as `[project.scripts] rws` is in an install."""
import multiprocessing

if __name__ == "__main__":
    # First, before any heavy import: in the bundle a worker process is this same program, and
    # freeze_support() turns it into the worker and never returns.
    multiprocessing.freeze_support()
    from rws_desktop.cli import main

    raise SystemExit(main())

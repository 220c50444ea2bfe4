"""`python -m rws_desktop` opens the window, as `rws-desktop` does; the bundle's window starts here too."""
import multiprocessing

if __name__ == "__main__":  # a spawned worker imports this module too, and must not open a window
    # First, before any heavy import: in the bundle a worker process is this same program, and
    # freeze_support() turns it into the worker and never returns.
    multiprocessing.freeze_support()
    from rws_desktop.ui.main import main

    raise SystemExit(main())

"""`python -m rws_desktop` opens the window, as `rws-desktop` does."""
from rws_desktop.ui.main import main

raise SystemExit(main())

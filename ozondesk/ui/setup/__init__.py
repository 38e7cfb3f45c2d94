"""The first-run setup assistant (shop, team, this desk, first sync) and how the app opens it."""

from ozondesk.ui.setup.launch import open_from_window, run_first_setup
from ozondesk.ui.setup.wizard import SetupWizard

__all__ = ["SetupWizard", "open_from_window", "run_first_setup"]

"""PyInstaller's entry script: the same `ozondesk` command as the pip-installed one.

Not named ozondesk.py: a script of that name beside the spec would shadow the package.
"""

import os
import sys

from ozondesk.cli import main

if __name__ == "__main__":
    # A windowed Windows exe has no console: sys.stdout/stderr are None there, and the
    # app's one-line error messages and logging would raise instead of vanishing.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    sys.exit(main())

"""The README's opening shell commands, as a user would paste them.

    python3 packaging/readme_commands.py 1     # install and launch (apt, venv, pip, ozondesk --demo)
    python3 packaging/readme_commands.py 2     # install the test extras and run the suite

`.ci/run` executes them verbatim from here, and tests/test_fresh_machine.py checks the apt list
of the first one against what Qt's X11 platform plugin links, so the README cannot drift from
what CI proves.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def commands(readme: Path = README) -> list[str]:
    """Every ```sh block of the README, in order, with line continuations kept."""
    return [block.rstrip("\n") for block in _BLOCK.findall(readme.read_text(encoding="utf-8"))]


def apt_packages(command: str) -> list[str]:
    """The package names after `apt-get install` in a command (options left out)."""
    words = shlex.split(command.replace("\\\n", " "), comments=True)
    names: list[str] = []
    for i, word in enumerate(words):
        if word == "install" and i > 0 and words[i - 1] == "apt-get":
            for name in words[i + 1 :]:
                if name in ("&&", "||", ";", "|"):
                    break
                if not name.startswith("-"):
                    names.append(name)
    return names


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit() or int(argv[0]) < 1:
        sys.stderr.write("usage: readme_commands.py N  (1: install and launch, 2: tests)\n")
        return 2
    found = commands()
    number = int(argv[0])
    if number > len(found):
        sys.stderr.write(f"README.md has only {len(found)} sh blocks\n")
        return 2
    print(found[number - 1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

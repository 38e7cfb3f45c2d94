"""Build step that ships the data files in the wheel; the rest of the metadata is in pyproject.toml.

``resources/`` and the compiled catalogs live at the repository root, outside the
package, so plain package-data cannot reach them. ``build_py`` copies them into
``ozondesk/_data/`` of the build, where ``ozondesk.resources`` looks first. An editable
install needs no copy: it reads them from the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_DIR = "_data"  # ozondesk.resources.WHEEL_DATA_DIR


def data_files() -> list[tuple[Path, Path]]:
    """(source, path inside the package) for every shipped data file."""
    pairs: list[tuple[Path, Path]] = []
    for source in sorted((ROOT / "resources").rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            pairs.append((source, Path(DATA_DIR) / source.relative_to(ROOT)))
    for source in sorted((ROOT / "translations").glob("*/LC_MESSAGES/*.mo")):
        pairs.append((source, Path(DATA_DIR) / source.relative_to(ROOT)))
    return pairs


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "ozondesk"
        shutil.rmtree(target / DATA_DIR, ignore_errors=True)  # no file removed upstream survives
        for source, relative in data_files():
            dest = target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            target = Path(self.build_lib) / "ozondesk"
            outputs += [str(target / relative) for _source, relative in data_files()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithData})

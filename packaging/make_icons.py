"""Render the app icon set from packaging/icons/ozondesk.svg; the results are committed.

    QT_QPA_PLATFORM=offscreen python packaging/make_icons.py

Writes the freedesktop PNGs (packaging/linux/icons/hicolor/<N>x<N>/apps/<app id>.png) and
the scalable SVG beside them, and, when Pillow is installed (the `package` extra), the
Windows .ico and the macOS .icns in packaging/icons/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MASTER = HERE / "icons" / "ozondesk.svg"
APP_ID = "ru.ozondesk.OzonDesk"
HICOLOR = HERE / "linux" / "icons" / "hicolor"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"{MASTER}: not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"cannot write {target}")


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, image IO)
    for size in PNG_SIZES:
        target = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        render(size, target)
        print(target.relative_to(HERE.parent))
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, scalable)
    print(scalable.relative_to(HERE.parent))

    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed (pip install '.[package]'): .ico and .icns not written")
        return 0
    big = HERE / "icons" / "ozondesk-1024.png"  # Pillow downsamples from one large image
    render(1024, big)
    try:
        with Image.open(big) as image:
            image.load()
            ico = HERE / "icons" / "ozondesk.ico"
            image.save(ico, sizes=[(s, s) for s in ICO_SIZES])
            icns = HERE / "icons" / "ozondesk.icns"
            image.save(icns, sizes=[(s, s) for s in ICNS_SIZES])
    finally:
        big.unlink()
    print(ico.relative_to(HERE.parent))
    print(icns.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())

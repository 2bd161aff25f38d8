"""Render resources/icons/activation-lab.svg to the PNG, ICO and ICNS files the app and bundles use.

Run after editing the SVG, then commit the generated files::

    python packaging/make_icons.py

The SVG is drawn with QtSvg on an offscreen QImage. The ICO and ICNS containers are written
here, with PNG payloads, so the output depends only on Qt's PNG encoder: the same Qt gives the
same bytes. Windows Vista+ reads PNG entries in ICO files; macOS 10.7+ reads PNG icns chunks.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "activation-lab"
SVG = ICONS / f"{NAME}.svg"

#: extra PNG sizes written as activation-lab-<N>.png (desktop themes, docs)
PNG_SIZES = (16, 32, 48, 128, 512)
#: the main PNG (activation-lab.png): the window icon
MAIN_SIZE = 256
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: icns chunk type -> pixel size (PNG chunks, macOS 10.7+)
ICNS_TYPES = {b"ic07": 128, b"ic08": 256, b"ic09": 512, b"ic10": 1024}


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` pixels on a transparent background, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buf, "PNG"):
        raise SystemExit("make_icons: Qt could not encode a PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG entry per size (ICONDIR + ICONDIRENTRY records + payloads)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for s in sizes:
        data = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + entries + payload


def icns_bytes(chunks: dict[bytes, bytes]) -> bytes:
    """An ICNS file: the 'icns' header, then one (type, length, PNG) chunk per entry."""
    body = b"".join(t + struct.pack(">I", 8 + len(d)) + d for t, d in chunks.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build(out_dir: Path = ICONS, svg: Path = SVG) -> list[Path]:
    """Write every icon file into ``out_dir``; return the paths written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    needed = set(PNG_SIZES) | {MAIN_SIZE} | set(ICO_SIZES) | set(ICNS_TYPES.values())
    pngs = {s: render_png(svg, s) for s in sorted(needed)}
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {f"{NAME}.png": pngs[MAIN_SIZE]}
    files |= {f"{NAME}-{s}.png": pngs[s] for s in PNG_SIZES}
    files[f"{NAME}.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
    files[f"{NAME}.icns"] = icns_bytes({t: pngs[s] for t, s in ICNS_TYPES.items()})
    written = []
    for name, data in files.items():
        path = out_dir / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ICONS, help="output folder (default: %(default)s)")
    args = p.parse_args(argv)
    for path in build(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  {path.stat().st_size:>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

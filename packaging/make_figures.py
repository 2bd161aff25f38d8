"""The figures gallery (``make figures``): every panel of every lesson preset, exported headless
(``activation-lab train --figures``, run as a user would) and from the window (the panels in
their docks at 1366×768, exported as Export All does), into ``build/figures/``, with one HTML
page to review them all at a glance and a contact sheet (one PNG of thumbnails).

Nothing here is committed: the README shows a few figures from ``resources/screenshots``
(``make screenshots``). The checks behind "a teacher can put it on a slide" are tests
(tests/gui/test_figures_gallery.py); this is for the eye.

Run:  QT_QPA_PLATFORM=offscreen python packaging/make_figures.py [--out DIR] [--preset NAME ...]
      [--format png|svg|pdf] [--size slide|a4|WxH] [--epochs N]
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

THUMB = 320  # px: the contact sheet's thumbnails are this wide


def headless(name: str, out: Path, epochs: int, fmt: str, size: str) -> None:
    """``activation-lab train --preset NAME --figures`` into ``out``."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "gui", "train", "--preset", name, "--epochs",
                    str(epochs), "--out", str(out), "--figures", "--format", fmt,
                    "--figure-size", size], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def from_window(names: list[str], out: Path, epochs: int) -> dict[str, list[Path]]:
    """Each preset's frame drawn in the window's panels (1366×768, light theme), every panel
    exported as Export All writes it."""
    from PySide6.QtWidgets import QApplication

    import core.presets
    from gui.export import write_png
    from gui.live_view import make_live_view
    from gui.session import Session
    from gui.wiring import build_lab

    app = QApplication.instance() or QApplication(["activation-lab"])
    session = Session(core.presets.get(names[0]).experiment)
    lab = build_lab(session, None)
    window = lab.window
    window.resize(1366, 768)
    window.set_theme("light")
    window.show()
    app.processEvents()
    written: dict[str, list[Path]] = {}
    try:
        for name in names:
            exp = core.presets.get(name).experiment
            trainer = exp.build_trainer()
            trainer.run(epochs=epochs)
            view = make_live_view(trainer, exp)
            folder = out / name
            folder.mkdir(parents=True, exist_ok=True)
            for pid in window.panels:
                window.panels[pid].update_view(view)
            app.processEvents()
            written[name] = [write_png(window.panels[pid], folder / f"{pid}.png", 1.0)
                             for pid in window.panels]
    finally:
        session.shutdown()
        window.close()
    return written


def contact_sheet(images: list[tuple[str, Path]], path: Path) -> None:
    """One PNG of thumbnails, five across, each captioned."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    cols, cap = 5, 18
    thumbs = []
    for label, p in images:
        img = QImage(str(p))
        if not img.isNull():
            smooth = Qt.TransformationMode.SmoothTransformation
            thumbs.append((label, img.scaledToWidth(THUMB, smooth)))
    if not thumbs:
        return
    cell_h = max(t.height() for _, t in thumbs) + cap
    rows = -(-len(thumbs) // cols)
    sheet = QImage(cols * (THUMB + 8), rows * (cell_h + 8), QImage.Format.Format_RGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    try:
        for i, (label, t) in enumerate(thumbs):
            x, y = (i % cols) * (THUMB + 8) + 4, (i // cols) * (cell_h + 8) + 4
            painter.drawText(QRectF(x, y, THUMB, cap), Qt.AlignmentFlag.AlignLeft, label)
            painter.drawImage(x, y + cap, t)
    finally:
        painter.end()
    sheet.save(str(path), "PNG")


def html_page(sections: dict[str, list[tuple[str, Path]]], path: Path) -> None:
    parts = ["<!doctype html><meta charset='utf-8'><title>Activation Lab figures</title>",
             "<style>body{font-family:sans-serif} figure{display:inline-block;margin:6px;"
             "width:330px;vertical-align:top} img{width:320px;border:1px solid #ccc}"
             "figcaption{font-size:12px}</style><h1>Activation Lab: the figures gallery</h1>"]
    for title, items in sections.items():
        parts.append(f"<h2>{html.escape(title)}</h2>")
        for label, p in items:
            rel = os.path.relpath(p, path.parent)
            parts.append(f"<figure><a href='{html.escape(rel)}'><img src='{html.escape(rel)}'"
                         f" loading='lazy'></a><figcaption>{html.escape(label)}</figcaption>"
                         "</figure>")
    path.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    import core.presets

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "figures")
    ap.add_argument("--preset", action="append", help="only these presets (default: all)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                    help="the headless figures' format (the page shows PNGs)")
    ap.add_argument("--size", default="slide", help="the headless figures' size")
    args = ap.parse_args(argv)
    names = args.preset or list(core.presets.all_presets())
    out: Path = args.out
    sections: dict[str, list[tuple[str, Path]]] = {}
    for name in names:
        folder = out / "headless" / name
        headless(name, folder, args.epochs, args.format, args.size)
        if args.format == "png":
            sections.setdefault("Headless (train --figures)", []).extend(
                (f"{name} · {p.stem}", p) for p in sorted(folder.glob("*.png")))
        print(f"headless {name}: {folder}")
    for name, paths in from_window(names, out / "window", args.epochs).items():
        sections.setdefault("From the window (1366×768, Export All)", []).extend(
            (f"{name} · {p.stem}", p) for p in paths)
        print(f"window {name}: {out / 'window' / name}")
    html_page(sections, out / "index.html")
    contact_sheet([item for items in sections.values() for item in items],
                  out / "contact-sheet.png")
    print(f"wrote {out / 'index.html'} and {out / 'contact-sheet.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

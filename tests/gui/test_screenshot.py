"""``activation-lab --screenshot``: a real PNG of the whole window, every visible panel drawn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _pixels(path: Path) -> np.ndarray:
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    assert not img.isNull()
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), :3].copy()


def _coloured_share(region: np.ndarray) -> float:
    a = region.astype(int)
    return float(((a.max(axis=2) - a.min(axis=2)) > 60).mean())


def test_screenshot_is_a_real_picture_of_every_visible_panel(make_lab, qtbot, tmp_path):
    out = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "gui", "--screenshot", str(out), "--steps", "150",
         "--size", "1366x768", "--preset", "circles-tanh", "--theme", "light"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _pixels(out)
    assert pixels.shape[:2] == (768, 1366)

    # The same window, built here with the same size, tells where each dock sits.
    window = make_lab(start=False).window
    # visible docks build their panels when shown; wait until those are laid out
    visible = ("output", "training_curves", "histograms")
    qtbot.waitUntil(lambda: all(window.panels.is_created(p)
                                and window.panels[p].canvas.width() > 200 for p in visible),
                    timeout=10000)
    checked = 0
    for pid, panel in window.panels.created().items():
        dock = window.docks[pid]
        if not dock.isVisible() or panel.visibleRegion().isEmpty():
            continue  # a hidden tab is not in the picture
        top_left = panel.canvas.mapTo(window, panel.canvas.rect().topLeft())
        w, h = panel.canvas.width(), panel.canvas.height()
        region = pixels[top_left.y(): top_left.y() + h, top_left.x(): top_left.x() + w]
        assert region.size, pid
        share = _coloured_share(region)
        assert share > 0.003, f"{pid} looks blank in the screenshot ({share:.4f})"
        checked += 1
    assert checked >= 3  # output, training curves and the front tab at least


def test_screenshot_without_display_explains_offscreen(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "gui"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    if not sys.platform.startswith("linux"):
        return
    assert proc.returncode == 2
    assert "QT_QPA_PLATFORM=offscreen" in proc.stderr
    assert "Traceback" not in proc.stderr

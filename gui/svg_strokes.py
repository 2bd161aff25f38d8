"""SVG strokes moved into the drawing's own coordinates (pure text processing, no Qt).

Qt writes every cosmetic pen (all of pyqtgraph's) as ``vector-effect="non-scaling-stroke"``
inside a group that carries the data-to-pixel transform. Viewers that ignore that attribute
(librsvg, many office suites) then draw a 1-px pen 400 px wide, and those that honour it keep
lines hair-thin however large the drawing is shown. :func:`bake_strokes` maps such strokes'
points through their group's transform, so a 2-px line is 2 px of 900 wherever the SVG is
opened, and scales with it. Used by ``gui.export.write_svg``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

__all__ = ["bake_strokes"]

# --- -------------------------------------------------------
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MATRIX = re.compile(r"^\s*matrix\(([^)]*)\)\s*$")
_GENERIC_FONTS = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui")


def _matrix(text: str | None) -> np.ndarray | None:
    """(a, b, c, d, e, f) of an SVG ``matrix(...)`` transform, or None."""
    m = _MATRIX.match(text or "")
    if not m:
        return None
    values = [float(v) for v in _NUMBER.findall(m.group(1))]
    return np.array(values) if len(values) == 6 else None


def _fmt(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _map(m: np.ndarray, xy: np.ndarray) -> np.ndarray:
    a, b, c, d, e, f = m
    x, y = xy[:, 0], xy[:, 1]
    return np.column_stack([a * x + c * y + e, b * x + d * y + f])


def _points(m: np.ndarray, text: str) -> str:
    values = np.array([float(v) for v in _NUMBER.findall(text)])
    if values.size % 2:
        raise ValueError("odd number of coordinates")
    xy = _map(m, values.reshape(-1, 2))
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in xy)


def _path(m: np.ndarray, d: str) -> str:
    """Map an absolute path (M, L, C, Q, Z: all Qt writes) through ``m``."""
    out, pending = [], []
    for tok in _PATH_TOKEN.findall(d):
        if tok.isalpha():
            if tok not in "MLCQZ":
                raise ValueError(f"path command {tok} is not handled")
            out.append(tok)
        else:
            pending.append(float(tok))
            if len(pending) == 2:
                (x, y), = _map(m, np.array([pending]))
                out.append(f"{_fmt(x)},{_fmt(y)}")
                pending = []
    if pending:
        raise ValueError("odd number of coordinates")
    return " ".join(out)


def _bake(el: ET.Element, m: np.ndarray) -> bool:
    """Give ``el`` coordinates in its group's parent space; False if it cannot be done."""
    tag = el.tag.rsplit("}", 1)[-1]
    own = _matrix(el.get("transform"))
    if el.get("transform") is not None:
        if own is None:
            return False
        a, b, c, d, e, f = m
        m = np.array([a * own[0] + c * own[1], b * own[0] + d * own[1],
                      a * own[2] + c * own[3], b * own[2] + d * own[3],
                      a * own[4] + c * own[5] + e, b * own[4] + d * own[5] + f])
    try:
        if tag in ("polyline", "polygon"):
            el.set("points", _points(m, el.get("points", "")))
        elif tag == "path":
            el.set("d", _path(m, el.get("d", "")))
        elif tag == "rect" and el.get("rx") is None and el.get("ry") is None:
            x, y = float(el.get("x", 0)), float(el.get("y", 0))
            w, h = float(el.get("width", 0)), float(el.get("height", 0))
            corners = f"{x},{y} {x + w},{y} {x + w},{y + h} {x},{y + h}"
            el.set("points", _points(m, corners))
            el.tag = f"{{{_SVG_NS}}}polygon"
            for key in ("x", "y", "width", "height"):
                el.attrib.pop(key, None)
        else:
            return False
    except ValueError:
        return False
    el.attrib.pop("transform", None)
    el.attrib.pop("vector-effect", None)
    return True


def _non_scaling(el: ET.Element) -> bool:
    return el.get("vector-effect") == "non-scaling-stroke"


def _join_polylines(elements: list[ET.Element]) -> list[ET.Element]:
    """Adjacent polylines as one path, joined where one starts at the last one's end.

    pyqtgraph draws a curve as hundreds of two-point lines: as one path it is one object to
    select in an editor, and its dashes and joins run on along the curve.
    """
    out: list[ET.Element] = []
    run: list[ET.Element] = []

    def flush() -> None:
        if run:
            parts, end = [], None
            for el in run:
                pts = el.get("points", "").split()
                if not pts:
                    continue
                parts.append(("L " if pts[0] == end else "M ") + pts[0])
                parts.extend("L " + p for p in pts[1:])
                end = pts[-1]
            path = ET.Element(f"{{{_SVG_NS}}}path", {"fill": "none", "d": " ".join(parts)})
            path.tail = run[-1].tail
            out.append(path)
        run.clear()

    for el in elements:
        plain = el.tag == f"{{{_SVG_NS}}}polyline" and set(el.attrib) <= {"points", "fill"}
        if plain and el.get("fill", "none") == "none":
            run.append(el)
        else:
            flush()
            out.append(el)
    flush()
    return out


def bake_strokes(svg: bytes) -> bytes:
    """Move Qt's non-scaling strokes into the drawing's coordinates (see the module doc),
    mark embedded images to be scaled without smoothing, and give the size in pixels.

    Each group whose transform holds such elements is split, in drawing order, into runs:
    baked elements go into copies of the group without the transform (so the group's
    ``stroke-width`` is now in drawing pixels), the rest stay under the original transform.
    """
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    root = ET.fromstring(svg)
    box = root.get("viewBox", "").split()
    if len(box) == 4:  # Qt gives the size in mm, which viewers turn into pixels at 90 or 96 dpi
        root.set("width", box[2])
        root.set("height", box[3])
    for clip in root.iter(f"{{{_SVG_NS}}}clipPath"):  # outlines only: no stroke to keep
        for el in clip:
            el.attrib.pop("vector-effect", None)
    for el in root.iter():
        # Qt names its default face "Sans Serif", which browsers do not know: they would fall
        # back to a serif face. Name the generic family too.
        family = el.get("font-family")
        if family and not family.rstrip().endswith(_GENERIC_FONTS):
            el.set("font-family", f"{family}, sans-serif")
    for image in root.iter(f"{{{_SVG_NS}}}image"):
        # a 3×3 confusion matrix is nine cells, not a blur: show pixels as pixels, as on screen
        image.set("image-rendering", "optimizeSpeed")
        image.set("style", "image-rendering:pixelated")
    for parent in list(root.iter()):
        children = list(parent)
        if not any(ch.tag == f"{{{_SVG_NS}}}g" and any(_non_scaling(e) for e in ch)
                   for ch in children):
            continue
        rebuilt: list[ET.Element] = []
        for group in children:
            m = _matrix(group.get("transform")) if group.tag == f"{{{_SVG_NS}}}g" else None
            if m is None and group.tag == f"{{{_SVG_NS}}}g" and group.get("transform") is None:
                m = np.array([1.0, 0, 0, 1, 0, 0])
            if m is None or not any(_non_scaling(e) for e in group):
                rebuilt.append(group)
                continue
            runs: list[tuple[bool, list[ET.Element]]] = []
            for el in list(group):
                baked = _non_scaling(el) and _bake(el, m)
                if runs and runs[-1][0] == baked:
                    runs[-1][1].append(el)
                else:
                    runs.append((baked, [el]))
            for baked, elements in runs:
                copy = ET.Element(group.tag, dict(group.attrib))
                copy.text, copy.tail = group.text, group.tail
                if baked:
                    copy.attrib.pop("transform", None)
                    elements = _join_polylines(elements)
                copy.extend(elements)
                rebuilt.append(copy)
        for ch in children:
            parent.remove(ch)
        parent.extend(rebuilt)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- CSV ---------------------------------------------------------------------------------

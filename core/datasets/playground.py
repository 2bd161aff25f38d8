"""2-D toy problems on the plane, after TensorFlow Playground's ``dataset.ts``.

Points live in the (−6, 6)² plane. Noise runs from 0 to 0.5 (Playground's 0–50 %) and, as
there, most sets keep the points where they were drawn and read the label at a point shifted
by ``noise`` × a uniform amount, so labels near the boundary flip; spiral and moons jitter the
points themselves instead. Each generator's docstring says which.
"""

from __future__ import annotations

import numpy as np

from .registry import DatasetInfo, Option, Raw, register

PLANE = ((-6.0, 6.0), (-6.0, 6.0))
XY = ("x1", "x2")
_TABLE = Option("split", False, doc="split the table into train and test like other data sets")


def _info(name: str, display: str, description: str, task: str = "binary", *,
          n: int = 500, noise: float = 0.0, noise_help: str = "") -> DatasetInfo:
    return DatasetInfo(
        name=name, display_name=display, description=description, task=task, default_n=n,
        default_noise=noise, noise_range=(0.0, 0.5), n_range=(10, 5000), is_2d=True,
        group="playground", noise_help=noise_help, extent=PLANE,
    )


def _binary(x: np.ndarray, positive: np.ndarray, class_names: tuple[str, str]) -> Raw:
    y = positive.astype(np.float64)[:, None]
    return Raw(x, y, XY, ("class",), class_names, PLANE)


@register(
    DatasetInfo(
        name="xor", display_name="XOR (4 points)",
        description="The four rows of the XOR truth table: output 1 when exactly one input is "
        "1. No straight line separates the classes, so a network needs a hidden layer.",
        task="binary", default_n=4, default_noise=0.0, noise_range=(0.0, 0.0), n_range=(4, 4),
        is_2d=True, group="table", whole_table=True,
        noise_help="no noise: the table is exact",
    ),
    Option("centered", False, doc="inputs −1/+1 instead of 0/1"),
    _TABLE,
)
def xor(rng: np.random.Generator, n: int, noise: float, *, centered: bool = False,
        split: bool = False) -> Raw:
    """The truth table (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0; ``centered`` maps inputs to ±1."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    box = (-0.5, 1.5)
    if centered:
        x, box = 2 * x - 1, (-2.0, 2.0)
    return Raw(x, y, XY, ("x1 XOR x2",), ("0", "1"), (box, box))


@register(_info(
    "noisy_xor", "Noisy XOR",
    "Points in four quadrants; the class is the sign of x1·x2, like XOR on the whole plane.",
    noise=0.1,
    noise_help="labels are read at a point shifted by up to noise × 5 in each direction",
))
def noisy_xor(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Playground's xor: uniform in [−5, 5]² pushed 0.3 off the axes; positive when x1·x2 ≥ 0."""
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)
    p = x + rng.uniform(-5, 5, (n, 2)) * noise
    return _binary(x, p[:, 0] * p[:, 1] >= 0, ("x1·x2 < 0", "x1·x2 ≥ 0"))


@register(_info(
    "circles", "Circles",
    "A disc of one class inside a ring of the other; no straight line can separate them.",
    noise_help="labels are read at a point shifted by up to noise × 5 in each direction",
))
def circles(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Half the points at radius [0, 2.5), half in [3.5, 5]; inside radius 2.5 is positive."""
    n_in = n // 2
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5, n - n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    p = x + rng.uniform(-5, 5, (n, 2)) * noise
    return _binary(x, np.hypot(p[:, 0], p[:, 1]) < 2.5, ("outside", "inside"))


@register(_info(
    "gaussians", "Two Gaussians",
    "Two round clouds of points around (2, 2) and (−2, −2); a single straight line separates "
    "them unless the noise makes them overlap.",
    noise_help="the clouds' variance grows from 0.5 (noise 0) to 4 (noise 0.5)",
))
def gaussians(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Normal clouds, variance 0.5 + 7·noise, redrawn until inside the plane; (2, 2) positive."""
    std = np.sqrt(0.5 + noise * 7.0)
    n_pos = n // 2
    centre = np.where(np.arange(n)[:, None] < n_pos, 2.0, -2.0) * np.ones((1, 2))
    x = rng.normal(centre, std)
    outside = np.any(np.abs(x) > 6, axis=1)
    while outside.any():  # truncate to the plane by redrawing, not clipping onto its edge
        x[outside] = rng.normal(centre[outside], std)
        outside = np.any(np.abs(x) > 6, axis=1)
    return _binary(x, np.arange(n) < n_pos, ("around (−2, −2)", "around (2, 2)"))


@register(_info(
    "spiral", "Spiral",
    "Two arms winding 1.75 turns around each other; the hardest of the plane problems.",
    noise_help="each point moves by up to noise in each direction",
))
def spiral(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Arm k: r = i/m·5, t = 1.75·i/m·2π + kπ for i < m; the first arm is positive."""
    xs, positive = [], []
    for arm, m in enumerate((n // 2, n - n // 2)):
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * np.pi + arm * np.pi
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        positive.append(np.full(m, arm == 0))
    x = np.concatenate(xs) + rng.uniform(-1, 1, (n, 2)) * noise
    return _binary(x, np.concatenate(positive), ("arm 2", "arm 1"))


@register(_info(
    "moons", "Moons",
    "Two interleaving half circles; a curved boundary is needed to separate them.",
    noise=0.1, noise_help="each point moves by up to noise × 3 in each direction",
))
def moons(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Half circles of radius 3 (scikit-learn's make_moons ×3, centred); upper one positive."""
    n_up = n // 2
    t = rng.uniform(0, np.pi, n)
    up = np.arange(n) < n_up
    x = np.where(up[:, None],
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    x = 3 * (x - [0.5, 0.25]) + rng.uniform(-3, 3, (n, 2)) * noise
    return _binary(x, up, ("lower moon", "upper moon"))


@register(_info(
    "checkerboard", "Checkerboard",
    "A 4×4 board of squares in alternating classes, like a chessboard corner.",
    noise_help="labels are read at a point shifted by up to noise × 3 (one square) each way",
))
def checkerboard(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Uniform in the plane; squares 3 wide; the square at the bottom-left corner is positive."""
    x = rng.uniform(-6, 6, (n, 2))
    p = x + rng.uniform(-3, 3, (n, 2)) * noise
    cell = np.floor((p + 6) / 3).astype(np.intp)
    return _binary(x, (cell[:, 0] + cell[:, 1]) % 2 == 0, ("dark", "light"))


@register(_info(
    "plane", "Plane (regression)",
    "Predict a number that rises evenly from one corner of the plane to the other: "
    "y = (x1 + x2) / 10. A single linear unit can learn it exactly.",
    task="regression",
    noise_help="the target is read at a point shifted by up to noise × 6 in each direction",
))
def plane(rng: np.random.Generator, n: int, noise: float) -> Raw:
    """Playground's reg-plane: uniform in the plane, y = (x1 + x2)/10 at the shifted point."""
    x = rng.uniform(-6, 6, (n, 2))
    p = x + rng.uniform(-6, 6, (n, 2)) * noise
    return Raw(x, (p.sum(axis=1) / 10)[:, None], XY, ("y",), (), PLANE)


def bump_centres(count: int) -> np.ndarray:
    """(count, 3) rows (cx, cy, sign) on a grid, signs alternating like a checkerboard.

    ``count`` = 6 gives Playground's layout exactly: x in {−4, 0, 4}, y in {2.5, −2.5}.
    """
    rows = max(1, round(np.sqrt(count / 1.5)))
    cols = -(-count // rows)
    xs = np.linspace(-4, 4, cols) if cols > 1 else np.zeros(1)
    span = 2.5 if rows <= 2 else 4.0
    ys = np.linspace(span, -span, rows) if rows > 1 else np.zeros(1)
    cells = [(xs[c], ys[r], (-1.0) ** (r + c)) for r in range(rows) for c in range(cols)]
    return np.array(cells[:count], dtype=np.float64)


@register(
    _info(
        "multi_gaussian", "Multi-Gaussian (regression)",
        "Predict the height of a landscape of bumps and dips scattered over the plane.",
        task="regression",
        noise_help="the target is read at a point shifted by up to noise × 6 in each direction",
    ),
    Option("count", 6, 1, 12, doc="number of bumps (6 is Playground's layout)"),
)
def multi_gaussian(rng: np.random.Generator, n: int, noise: float, *, count: int = 6) -> Raw:
    """Playground's reg-gauss: each bump falls linearly from ±1 at its centre to 0 at distance
    2; the target is the bump value largest in size."""
    x = rng.uniform(-6, 6, (n, 2))
    p = x + rng.uniform(-6, 6, (n, 2)) * noise
    centres = bump_centres(count)
    dist = np.hypot(p[:, None, 0] - centres[:, 0], p[:, None, 1] - centres[:, 1])
    values = centres[:, 2] * np.clip(1 - dist / 2, 0, 1)  # (n, count)
    pick = np.argmax(np.abs(values), axis=1)
    y = values[np.arange(n), pick]
    return Raw(x, y[:, None], XY, ("y",), (), PLANE)

"""What the numbers say about a formula activation: where it is finite, where its kinks are,
and its properties (estimated, on a grid: a formula has no hand-written Info to check).

The probe covers −1000 ≤ z ≤ 1000: evenly there, densely near 0, logarithmically towards 0
from both sides, plus the formula's special points — every zero of a piece's boundary (the
g of ``where(g > 0, …)``, of ``max``, ``abs``, …) and of a denominator, found by bisection.
A network may use the formula only if f, f′ and f″ are finite at every probe point and do
not blow up near a denominator's zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .base import Kink

__all__ = ["Analysis", "analyse", "PROBE_LIMIT"]

PROBE_LIMIT = 1000.0
MAX_KINKS = 24
_S = (0.0, 0.5, 1.0, 2.0, 3.0, 6.0, math.pi, math.e)
GRID = np.unique(np.concatenate([
    np.linspace(-PROBE_LIMIT, PROBE_LIMIT, 2001), np.linspace(-50.0, 50.0, 5001),
    np.linspace(-5.0, 5.0, 4001), np.logspace(-9, 3, 241), -np.logspace(-9, 3, 241),
    np.array(_S), -np.array(_S)]))


@dataclass(frozen=True)
class Analysis:
    """The numerical facts about one formula with one set of parameter values.

    ``problems`` says, for a student, why the function cannot be used in a network (empty if
    it can); the properties are estimates over the probe points where f is finite.
    """

    problems: tuple[str, ...]
    kinks: tuple[Kink, ...]
    breakpoints: tuple[float, ...]
    output_range: tuple[float, float]
    zero_centred: bool
    monotonic: bool
    bounded: bool
    smoothness: str


class _Fns:
    """f, f′, f″ and the sources' g as float64 arrays of the probe, warnings silenced."""

    def __init__(self, fns: Sequence[Callable], source_fn: Callable | None,
                 values: tuple[float, ...]) -> None:
        self.fns, self.source_fn, self.values = fns, source_fn, values

    def __call__(self, i: int, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self.fns[i](x, *self.values)
        return np.broadcast_to(np.asarray(out, dtype=np.float64), x.shape)

    def sources(self, x: np.ndarray) -> list[np.ndarray]:
        if self.source_fn is None:
            return []
        with np.errstate(all="ignore"):
            out = self.source_fn(x, *self.values)
        return [np.broadcast_to(np.asarray(g, dtype=np.float64), x.shape) for g in out]


def _roots(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, g: np.ndarray) -> list[float]:
    """Zeros of g on the sorted grid x: exact zeros, and sign changes refined by bisection."""
    ok = np.isfinite(g)
    found = list(x[ok & (g == 0)])
    s = np.sign(g)
    i = np.flatnonzero(ok[:-1] & ok[1:] & (s[:-1] * s[1:] < 0))
    if i.size:
        i = i[np.argsort(np.abs(x[i]))][:4 * MAX_KINKS]
        lo, hi = x[i].copy(), x[i + 1].copy()
        s_lo = s[i]
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            sm = np.sign(fn(mid))
            left = sm == s_lo
            lo = np.where(left, mid, lo)
            hi = np.where(left, hi, mid)
        # the side where g is exactly 0, if there is one, else the nearer end
        g_lo, g_hi = np.abs(fn(lo)), np.abs(fn(hi))
        found += list(np.where(g_hi <= g_lo, hi, lo))
    return [_snap(fn, r) for r in found]


def _snap(fn: Callable[[np.ndarray], np.ndarray], r: float) -> float:
    """A root written short (0.5, not 0.49999999999999994) when g is as small there."""
    r = float(r)
    if abs(r) < 1e-12:
        return 0.0
    g_r = abs(float(fn(np.array([r]))[0]))
    for digits in (6, 9, 12):
        c = float(f"{r:.{digits}g}")
        if abs(float(fn(np.array([c]))[0])) <= g_r:
            return c
    return r


def _num(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v - round(v)) < 1e-9 * max(1.0, abs(v)):
        return str(int(round(v)))
    return f"{v:.6g}"


def _refine(bad: Callable[[float], bool], good_x: float, bad_x: float) -> tuple[float, bool]:
    """The edge between a good and a bad point, written short, and whether it is bad itself."""
    g, b = good_x, bad_x
    for _ in range(64):
        m = 0.5 * (g + b)
        if m in (g, b):
            break
        if bad(m):
            b = m
        else:
            g = m
    tol = 1e-9 * max(1.0, abs(b))
    for c in (0.0, *(float(f"{b:.{d}g}") for d in (3, 6, 9, 12))):
        if min(g, b) - tol <= c <= max(g, b) + tol:
            return c, bad(c)
    return b, True


def _region(x: np.ndarray, mask: np.ndarray, bad: Callable[[float], bool]) -> str:
    """'for x ≤ 0', 'at x = 1', 'for −1 < x < 1', 'for every x', …: where ``mask`` holds."""
    if mask.all():
        return "for every x"
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    runs = list(zip(edges[::2], edges[1::2] - 1))
    near = sorted(sorted(runs, key=lambda r: min(abs(x[r[0]]), abs(x[r[1]])))[:3])
    texts = []
    for i0, i1 in near:
        left, right = i0 == 0, i1 == len(x) - 1
        if not left:
            a, a_in = _refine(bad, x[i0 - 1], x[i0])
        if not right:
            b, b_in = _refine(bad, x[i1 + 1], x[i1])
        if left:
            texts.append(f"for x {'≤' if b_in else '<'} {_num(b)}")
        elif right:
            texts.append(f"for x {'≥' if a_in else '>'} {_num(a)}")
        elif i0 == i1 or _num(a) == _num(b):
            texts.append(f"at x = {_num(x[i0] if i0 == i1 else a)}")
        else:
            texts.append(f"for {_num(a)} {'≤' if a_in else '<'} x {'≤' if b_in else '<'} "
                         f"{_num(b)}")
    if all(t.startswith("at x = ") for t in texts):
        text = "at x = " + ", ".join(t.removeprefix("at x = ") for t in texts)
    else:
        text = " and ".join(texts)
    return text + (" and elsewhere" if len(runs) > 3 else "")


def analyse(fns: Sequence[Callable], sources: Sequence, source_fn: Callable | None,
            values: tuple[float, ...], piecewise: bool) -> Analysis:
    """Probe f, f′, f″ (``fns``, each ``fn(z, *values)``) over −1000 ≤ z ≤ 1000.

    ``sources`` are ``formula_sym.Source`` records (kind, g, fragment) in the order of the
    formula's text; ``source_fn`` evaluates all their g at once.
    """
    ev = _Fns(fns, source_fn, values)
    x = GRID
    gs = ev.sources(x)
    boundary: list[float] = []
    poles: list[float] = []
    for j, (src, g) in enumerate(zip(sources, gs)):
        if src.kind in ("boundary", "pole"):
            found = _roots(lambda v, j=j: ev.sources(v)[j], x, g)
            (boundary if src.kind == "boundary" else poles).extend(found)
    boundary = sorted(set(boundary), key=abs)[:4 * MAX_KINKS]
    poles = sorted(set(poles), key=abs)[:4 * MAX_KINKS]
    special = np.array(boundary + poles, dtype=np.float64)
    delta = 1e-9 * np.maximum(1.0, np.abs(special))
    x = np.unique(np.concatenate([x, special, special - delta, special + delta]))
    f, d1, d2 = ev(0, x), ev(1, x), ev(2, x)
    fin_f, fin_1, fin_2 = np.isfinite(f), np.isfinite(d1), np.isfinite(d2)

    # a denominator's zero that the probe point misses by a rounding: f grows without bound
    blown: list[float] = []
    for r in poles:
        s = max(1.0, abs(r))
        for i in (0, 1):
            near = np.abs(ev(i, np.array([r - 1e-9 * s, r + 1e-9 * s])))
            far = np.abs(ev(i, np.array([r - 1e-6 * s, r + 1e-6 * s])))
            if np.any(~np.isfinite(near)) or np.any((near > 100.0 * far) & (near > 1e6)):
                blown.append(r)
                break
    if blown:
        hit = np.isin(x, np.array(blown))
        fin_f = fin_f & ~hit

    problems = _problems(ev, x, gs_at=ev.sources(x), sources=sources,
                         bad=(~fin_f, fin_f & ~fin_1, fin_f & fin_1 & ~fin_2), blown=blown)
    kinks, breaks, jumps, corners = _kinks(ev, boundary)
    rng, mono, zc = _properties(x, f, d1, fin_f, fin_1)
    if jumps:
        smooth = "discontinuous"
    elif corners or (fin_f & ~fin_1).any():
        smooth = "C0"
    elif breaks:
        smooth = "C1"
    else:
        smooth = "C2" if piecewise else "C∞"
    return Analysis(problems, kinks, breaks, rng, zc, mono,
                    bool(np.isfinite(rng[0]) and np.isfinite(rng[1])), smooth)


_WHAT = ("the formula", "its slope f′", "its second derivative f″")


def _problems(ev: _Fns, x: np.ndarray, gs_at: list[np.ndarray], sources: Sequence,
              bad: tuple[np.ndarray, ...], blown: list[float]) -> tuple[str, ...]:
    out = []
    for i, mask in enumerate(bad):
        if not mask.any():
            continue

        def bad_at(v: float, i: int = i) -> bool:
            """Whether level i (f, f′, f″) is the first one not finite at v."""
            vals = [ev(k, np.array([v]))[0] for k in range(i + 1)]
            if i == 0:
                return not np.isfinite(vals[0]) or v in blown
            return bool(np.isfinite(vals[:i]).all()) and not np.isfinite(vals[i])

        blame = None
        best = 0
        for src, g in zip(sources, gs_at):
            if src.kind == "log":
                violated = ~(g > 0)
            elif src.kind == "root":
                violated = ~(g >= 0)
            elif src.kind == "pole":
                violated = ~np.isfinite(g) | (np.abs(g) <= 1e-12) | np.isin(x, np.array(blown))
            else:
                continue
            n = int((violated & mask).sum())
            if n > best and src.fragment:
                blame, best, where = src, n, violated & mask
        if blame is not None:
            region = _region(x, where, bad_at) if where.any() else _region(x, mask, bad_at)
            if i == 0:
                out.append(f"{blame.fragment} is undefined {region}")
            else:
                out.append(f"{_WHAT[i]} is not finite {region} (at {blame.fragment})")
        else:
            region = _region(x, mask, bad_at)
            tail = " (it grows beyond what floating point can hold)" if i == 0 else ""
            out.append(f"{_WHAT[i]} is not a finite number {region}{tail}")
    return tuple(out)


def _kinks(ev: _Fns, points: list[float]) -> tuple[tuple[Kink, ...], tuple[float, ...], int,
                                                    int]:
    """Classify each boundary zero: a jump of f, a corner (f′ jumps), a breakpoint (f″ jumps)
    or nothing; returns (kinks, breakpoints, number of jumps, number of corners)."""
    kinks, breaks = [], []
    jumps = corners = 0
    for r in sorted(points):
        d = 1e-9 * max(1.0, abs(r))
        a = np.array([r - d, r, r + d])
        f, d1, d2 = ev(0, a), ev(1, a), ev(2, a)
        if not (np.isfinite(f).all() and np.isfinite(d1).all()):
            continue
        jump_f = abs(f[2] - f[0]) > 1e-6 * (1.0 + abs(f[1]))
        jump_1 = abs(d1[2] - d1[0]) > 1e-6 * (1.0 + abs(d1[1]))
        jump_2 = np.isfinite(d2).all() and abs(d2[2] - d2[0]) > 1e-5 * (1.0 + abs(d2[1]))
        # the pieces meet at a point where f is smooth, but the value there is the meeting
        # piece's (relu(x) − relu(−x) is x, with f′(0) = 0 as in PyTorch): listed too
        odd_f = abs(f[1] - 0.5 * (f[0] + f[2])) > 1e-6 * (1.0 + abs(f[1]))
        odd_1 = abs(d1[1] - 0.5 * (d1[0] + d1[2])) > 1e-6 * (1.0 + abs(d1[0]))
        odd_2 = np.isfinite(d2).all() and abs(d2[1] - 0.5 * (d2[0] + d2[2])) > 1e-5 * (
            1.0 + abs(d2[0]))
        used = float(d1[1])
        if odd_f and not jump_f:
            jumps += 1
            note = f"f takes another value at this one point; f′ = {used:g} is used"
        elif odd_1 and not (jump_f or jump_1):
            note = (f"the pieces meet here; f′ = {used:.4g} is used at this one point, the "
                    f"slope on both sides is {d1[0]:.4g}")
        elif jump_f:
            jumps += 1
            note = (f"f jumps here; f′ = {used:g} is used"
                    + (": a jump passes no gradient, as step and sign" if used == 0 else ""))
        elif jump_1:
            corners += 1
            side = ("the left slope" if used == d1[0] else "the right slope" if used == d1[2]
                    else "the value of the piece that holds here")
            note = (f"a corner: slope {d1[0]:.4g} on the left, {d1[2]:.4g} on the right; "
                    f"f′ = {used:.4g} is used ({side})")
        else:
            if jump_2 or odd_2:
                breaks.append(r)
            continue
        kinks.append(Kink(r, used, note))
    kinks.sort(key=lambda k: abs(k.x))
    kinks = sorted(kinks[:MAX_KINKS], key=lambda k: k.x)
    return tuple(kinks), tuple(sorted(breaks, key=abs)[:MAX_KINKS]), jumps, corners


def _properties(x: np.ndarray, f: np.ndarray, d1: np.ndarray, fin: np.ndarray,
                fin_1: np.ndarray) -> tuple[tuple[float, float], bool, bool]:
    """(output range, monotonic, zero-centred), estimated where f is finite."""
    if not fin.any():
        return (math.nan, math.nan), False, False
    xs, fs = x[fin], f[fin]
    lo, hi = float(fs.min()), float(fs.max())
    scale = 1.0 + max(abs(lo), abs(hi))

    def still_going(end: int, sign: float) -> bool:
        """f keeps growing (sign +1) or falling (−1) towards the probe's end ``end``."""
        at = xs[end]
        if abs(at) < 0.99 * PROBE_LIMIT:
            return False
        mid = np.flatnonzero(np.abs(xs - at / 2) <= 1e-9 * PROBE_LIMIT)
        if not mid.size:
            return False
        return sign * (fs[end] - fs[mid[0]]) > 1e-9 * (1.0 + abs(fs[end]))

    ends = (0, len(xs) - 1)
    if any(fs[e] == hi and still_going(e, 1.0) for e in ends):
        hi = math.inf
    if any(fs[e] == lo and still_going(e, -1.0) for e in ends):
        lo = -math.inf
    tol = 1e-9 * scale
    mono = bool(np.all(np.diff(fs) >= -tol))
    ds = d1[fin & fin_1]
    if ds.size:
        mono = mono and bool(np.all(ds >= -1e-9 * (1.0 + float(np.abs(ds).max()))))
    at0 = np.flatnonzero(xs == 0.0)
    zc = bool(at0.size and abs(fs[at0[0]]) <= 1e-12 * scale and lo < 0 < hi)
    return (lo, hi), mono, zc

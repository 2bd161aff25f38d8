"""The headless command line: ``plot``, ``train``, ``list`` and ``info``.

User mistakes (an unknown name, a bad number, a missing file) end with one sentence on stderr
and exit code 2 — never a traceback. Qt is imported only by the subcommands that draw, and runs
offscreen there, so all of this works on a machine with no display.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import core
import core.activations as acts
import core.presets

__all__ = ["run_subcommand", "build_parser"]


class UserError(Exception):
    """A mistake in the command line or its inputs: reported as one sentence."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="activation-lab", description="Activation Lab without a "
                                "window: plot functions, train experiments, look things up.")
    sub = p.add_subparsers(dest="command", required=True)

    pl = sub.add_parser("plot", help="draw activation functions to a PNG, SVG or CSV file")
    pl.add_argument("activations", nargs="+", metavar="ACT", help="activation names "
                    "(see 'activation-lab list activations')")
    pl.add_argument("--derivative", action="store_true", help="draw f′ instead of f")
    pl.add_argument("--second", action="store_true", help="with --derivative, add f″ (dashed)")
    pl.add_argument("--numerical", action="store_true",
                    help="with --derivative, overlay the central-difference f′")
    pl.add_argument("--range", nargs=2, type=float, metavar=("A", "B"), default=(-5.0, 5.0),
                    help="z range (default -5 5)")
    pl.add_argument("--param", action="append", default=[], metavar="NAME.KEY=VALUE",
                    help="a parameter, e.g. leaky_relu.alpha=0.2 (repeatable)")
    pl.add_argument("--theme", choices=("light", "dark"), default="light")
    pl.add_argument("--size", default="900x600", metavar="WxH", help="size in pixels")
    pl.add_argument("--scale", type=float, default=2.0, help="PNG pixel scale 1–4 (default 2)")
    pl.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                    help="FILE.png, FILE.svg or FILE.csv")

    tr = sub.add_parser("train", help="train an experiment headless and write its results")
    src = tr.add_mutually_exclusive_group(required=True)
    src.add_argument("experiment", nargs="?", type=Path, metavar="EXPERIMENT.alab")
    src.add_argument("--preset", metavar="NAME", help="a lesson preset")
    tr.add_argument("--epochs", type=int, default=100, help="epochs to train (default 100)")
    tr.add_argument("--seed", type=int, help="override every seed (data, network, training)")
    tr.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                    help="folder for metrics.csv, experiment.alab and figures (default .)")
    tr.add_argument("--figures", action="store_true", help="also write every panel's image")

    ls = sub.add_parser("list", help="list activations, datasets or presets")
    ls.add_argument("what", choices=("activations", "datasets", "presets"))

    info = sub.add_parser("info", help="formula, derivative, properties and conventions of one "
                          "activation")
    info.add_argument("activation", metavar="ACT")
    return p


def run_subcommand(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"plot": cmd_plot, "train": cmd_train, "list": cmd_list, "info": cmd_info}[
            args.command](args)
    except UserError as e:
        print(f"activation-lab {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("activation-lab: interrupted", file=sys.stderr)
        return 130


# --- list and info ---------------------------------------------------------------------------
def cmd_list(args) -> int:
    if args.what == "activations":
        for name in acts.names():
            print(f"{name:16s} {acts.get(name).info.display_name}")
    elif args.what == "datasets":
        for name in core.datasets.names():
            d = core.datasets.describe(name)
            print(f"{name:16s} {d.task:10s} {d.display_name}")
    else:
        for name, p in core.presets.all_presets().items():
            print(f"{name:20s} {p.title} — {p.question}")
    return 0


def _activation(name: str, params: dict | None = None) -> acts.Activation:
    try:
        return acts.get(name, **(params or {}))
    except KeyError:
        raise UserError(f"there is no activation called {name!r}; run 'activation-lab list "
                        "activations' to see them") from None
    except ValueError as e:
        raise UserError(f"{name}: {e}") from None


def cmd_info(args) -> int:
    act = _activation(args.activation)
    i = act.info

    def rng(v: float) -> str:
        return "∞" if v == float("inf") else "−∞" if v == float("-inf") else f"{v:g}"

    lines = [
        f"{i.display_name} ({act.name})",
        f"  formula:        {i.formula}",
        f"  derivative:     {i.derivative}",
        f"  output range:   ({rng(i.output_range[0])}, {rng(i.output_range[1])})",
        f"  zero-centred:   {'yes' if i.zero_centred else 'no'}",
        f"  monotonic:      {'yes' if i.monotonic else 'no'}",
        f"  bounded:        {'yes' if i.bounded else 'no'}",
        f"  smoothness:     {i.smoothness}",
    ]
    if i.derivative_from_output:
        lines.append(f"  from output a:  {i.derivative_from_output}")
    for k in i.kinks:
        lines.append(f"  kink at z={k.x:g}: f′ = {k.df_used:g} is used. {k.note}".rstrip())
    for spec in type(act).PARAMS:
        lines.append(f"  parameter {spec.name} = {spec.default:g} (range {spec.lo:g} to "
                     f"{spec.hi:g}) {spec.doc}".rstrip())
    lines.append("  derivatives are taken with respect to the pre-activation z.")
    lines.append("")
    lines.append("  " + i.summary)
    print("\n".join(lines))
    return 0


# --- plot --------------------------------------------------------------------------------------
def _parse_params(items: list[str], names: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        name, dot, param = key.partition(".")
        if not sep or not dot or not name or not param:
            raise UserError(f"--param must look like NAME.KEY=VALUE, not {item!r}")
        if name not in names:
            raise UserError(f"--param {item}: {name!r} is not one of the plotted activations")
        try:
            out.setdefault(name, {})[param] = float(value)
        except ValueError:
            raise UserError(f"--param {item}: {value!r} is not a number") from None
    return out


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size must look like 900x600, not {text!r}") from None
    if not (200 <= w <= 8000 and 150 <= h <= 8000):
        raise UserError("--size must be between 200x150 and 8000x8000")
    return w, h


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["activation-lab"])


def _write_panel(panel, out: Path, size, scale: float) -> list[Path]:
    from PySide6.QtCore import QSize

    from .export import write_csv, write_png, write_svg

    suffix = out.suffix.lower()
    qsize = QSize(*size)
    if suffix == ".png":
        return [write_png(panel, out, scale, "theme", qsize)]
    if suffix == ".svg":
        return [write_svg(panel, out, "theme", qsize)]
    if suffix == ".csv":
        return write_csv(panel, out)
    raise UserError(f"the output must end in .png, .svg or .csv, not {out.name!r}")


def cmd_plot(args) -> int:
    names = list(dict.fromkeys(args.activations))
    params = _parse_params(args.param, names)
    for name in names:
        _activation(name, params.get(name))  # validates names and parameter ranges
    names = [acts.activation_class(n).name for n in names]
    lo, hi = args.range
    if not (lo < hi) or max(abs(lo), abs(hi)) > 1000:
        raise UserError("--range needs A < B, both within ±1000")
    size = _parse_size(args.size)
    if not 1 <= args.scale <= 4:
        raise UserError("--scale must be between 1 and 4")
    if args.output.suffix.lower() not in (".png", ".svg", ".csv"):
        raise UserError(f"the output must end in .png, .svg or .csv, not {args.output.name!r}")
    if not args.output.parent.exists():
        raise UserError(f"the folder {args.output.parent} does not exist")

    _qt_app()
    from .theme import theme_named

    if args.derivative:
        from .panels.derivatives import DerivativesPanel

        panel = DerivativesPanel()
        panel.d2_box.setChecked(args.second)
        panel.num_box.setChecked(args.numerical)
    else:
        from .panels.activation_curves import ActivationCurvesPanel

        panel = ActivationCurvesPanel()
    panel.picker.set_selected(names)
    for name, ps in params.items():
        for key, value in ps.items():
            if not panel.picker.set_param(name, key, value):
                raise UserError(f"--param {name}.{key}={value:g} is not accepted")
    if not panel.xrange.set_range(lo, hi):
        raise UserError("--range is not accepted")
    panel.resize(*size)
    panel.apply_theme(theme_named(args.theme))
    try:
        written = _write_panel(panel, args.output, size, args.scale)
    except OSError as e:
        raise UserError(f"could not write {args.output}: {e.strerror or e}") from None
    for p in written:
        print(f"wrote {p}")
    return 0


# --- train -------------------------------------------------------------------------------------
def _load_source(args):
    from core.archive import ArchiveError, read_archive

    if args.preset:
        try:
            return core.presets.get(args.preset).experiment, None
        except KeyError:
            raise UserError(f"there is no preset called {args.preset!r}; run 'activation-lab "
                            "list presets' to see them") from None
    try:
        saved = read_archive(args.experiment)
    except ArchiveError as e:
        raise UserError(f"cannot open {args.experiment}: {e}") from None
    return saved.experiment, saved


def _progress(done: int, total: int, snap, t0: float) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - t0, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] epoch {done}/{total}  "
                     f"loss {snap['loss']:.4g}  {snap['metric']} {snap['value']:.3g}  "
                     f"{rate:.0f} epochs/s ")
    sys.stderr.flush()


def cmd_train(args) -> int:
    import dataclasses

    from core.archive import ArchiveError, capture, write_archive

    if not 1 <= args.epochs <= 1_000_000:
        raise UserError("--epochs must be between 1 and 1,000,000")
    exp, saved = _load_source(args)
    if args.seed is not None:
        if not 0 <= args.seed < 2**32:
            raise UserError("--seed must be between 0 and 4294967295")
        exp = dataclasses.replace(
            exp, dataset=dataclasses.replace(exp.dataset, seed=args.seed),
            network=dataclasses.replace(exp.network, seed=args.seed),
            training=dataclasses.replace(exp.training, seed=args.seed))
        saved = None  # new seeds mean a fresh start
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create {out}: {e.strerror or e}") from None
    try:
        ds = exp.build_dataset()
        trainer = saved.build_trainer(ds) if saved is not None else exp.build_trainer(ds)
    except (ArchiveError, ValueError, KeyError, OSError) as e:
        raise UserError(str(e)) from None

    t0 = time.perf_counter()
    start = trainer.epoch
    diverged = None
    try:
        for i in range(args.epochs):
            trainer.run(epochs=1)
            m = trainer.metrics
            _progress(i + 1, args.epochs, {
                "loss": m.get("train_loss", float("nan")),
                "metric": "R²" if ds.task == "regression" else "accuracy",
                "value": m.get("test_metric", float("nan"))}, t0)
    except core.TrainingDiverged as e:
        diverged = str(e)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    seconds = time.perf_counter() - t0

    h = trainer.history
    cols = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric")
    with open(out / "metrics.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        data = [getattr(h, c) for c in cols]
        for row in zip(*data, strict=False):
            w.writerow([repr(float(v)) for v in row])
    write_archive(out / "experiment.alab", capture(exp, trainer))
    written = ["metrics.csv", "experiment.alab"]
    if args.figures:
        written += [p.name for p in _figures(exp, trainer, out)]
    snap = trainer.metrics
    print(f"trained {trainer.epoch - start} epochs ({trainer.step_count} steps in all) in "
          f"{seconds:.1f} s: train loss {snap.get('train_loss', float('nan')):.4g}"
          f", test {('R²' if ds.task == 'regression' else 'accuracy')} "
          f"{snap.get('test_metric', float('nan')):.4g}")
    print(f"wrote {', '.join(written)} to {out}")
    if diverged:
        print(f"activation-lab train: {diverged}", file=sys.stderr)
        return 1
    return 0


def _figures(exp, trainer, out: Path) -> list[Path]:
    """Every panel's PNG (and CSV) for the trained state, drawn offscreen."""
    _qt_app()
    from PySide6.QtCore import QSize

    import core as _core

    from .export import write_csv, write_png
    from .live_view import make_live_view
    from .panels.registry import panel_classes

    view = make_live_view(trainer, exp, _core.Timeline())
    written = []
    for cls in panel_classes():
        panel = cls()
        panel.resize(1000, 650)
        state = exp.panels.get(cls.panel_id) if isinstance(exp.panels, dict) else None
        if isinstance(state, dict):
            panel.restore_view_state(state)
        panel.update_view(view)
        written.append(write_png(panel, out / f"{cls.panel_id}.png", 2.0, "theme",
                                 QSize(1000, 650)))
        try:
            written += write_csv(panel, out / f"{cls.panel_id}.csv")
        except ValueError:
            pass
        panel.deleteLater()
    return written

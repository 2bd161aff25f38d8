"""The headless command line: ``plot``, ``train``, ``list`` and ``info``.

User mistakes (an unknown name, a bad number, a missing file) end with one sentence on stderr
and exit code 2 — never a traceback. Qt is imported only by the subcommands that draw, and runs
offscreen there, so all of this works on a machine with no display.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import core
import core.activations as acts
import core.presets

from .cli_data import DATA_OPTIONS, DataError, add_data_arguments, experiment_from_data

__all__ = ["SYNOPSIS", "build_parser", "run_subcommand", "subcommands"]

#: one line per subcommand, for ``activation-lab --help``
SYNOPSIS = (
    ("plot ACT [ACT ...] [--derivative] [--second] [--numerical] [--range A B] "
     "[--param NAME.KEY=VALUE ...] [--theme light|dark] "
     "[--size WxH|slide|slide-4:3|a4|letter] [--scale S] [--presentation] "
     "-o FILE.png|.svg|.pdf|.csv", "draw activation functions (or their derivatives) to a file"),
    ("train (EXPERIMENT.alab | --preset NAME) [--epochs N] [--seed S] [--out DIR] [--figures "
     "[--format png|svg|pdf] [--figure-size WxH|slide|slide-4:3|a4|letter] [--presentation]]",
     "train without a window; write metrics.csv, experiment.alab and, with --figures, "
     "every panel's image"),
    ("train --data FILE.csv [--target COLUMN] [--skip-rows N] [--standardize] "
     "[--hidden 16:relu,8:tanh] [--output softmax|sigmoid|identity|tanh] [--loss NAME] "
     "[--optimizer NAME] [--lr R] [--batch B] [--epochs N] [--out DIR] [--figures]",
     "train on your own table, the same way; every option but --data has a default that "
     "suits the target column (classes or numbers)"),
    ("compare (EXPERIMENT.alab | --preset NAME) --vary SETTING=V1,V2[,...] [--seeds K] "
     "[--epochs N] [--goal \"test_metric>=0.95\"] [--until-goal] [--tune-lr] [--jobs J] "
     "--out DIR", "test a claim over many seeds: one setting varied, every value × K seeds; "
     "write summary.csv, runs.csv and the comparison file"),
    ("list activations|datasets|presets|lessons", "list what there is, by name"),
    ("info ACT", "formula, derivative, properties and conventions of one activation"),
    ("lesson NAME|FILE.toml [--check] [--max-seeds K]", "show a lesson's steps; with --check, "
     "run every step's set-up and goal without a window and print PASS or FAIL for each"),
)


def subcommands() -> tuple[str, ...]:
    """The subcommands' names, from SYNOPSIS (``python -m gui NAME …`` runs one headless)."""
    return tuple(dict.fromkeys(usage.split()[0] for usage, _ in SYNOPSIS))


class UserError(Exception):
    """A mistake in the command line or its inputs: reported as one sentence."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (exit 2), not the usage text too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="activation-lab", description="Activation Lab without a "
                "window: plot functions, train experiments, look things up.")
    sub = p.add_subparsers(dest="command", required=True)

    pl = sub.add_parser("plot", help="draw activation functions to a PNG, SVG or CSV file")
    pl.add_argument("activations", nargs="*", metavar="ACT", help="activation names "
                    "(see 'activation-lab list activations')")
    pl.add_argument("--formula", action="append", default=[], metavar='NAME="TEXT"',
                    help="also draw your own function, e.g. --formula "
                    "swish-b=\"x*sigmoid(beta*x); beta = 1 in [0.1, 10]\" (see the README's "
                    "typed formulas)")
    pl.add_argument("--derivative", action="store_true", help="draw f′ instead of f")
    pl.add_argument("--second", action="store_true",
                    help="add f″ (dashed); implies --derivative")
    pl.add_argument("--numerical", action="store_true",
                    help="overlay the central-difference f′ (dotted); implies --derivative")
    pl.add_argument("--range", nargs=2, type=float, metavar=("A", "B"), default=(-5.0, 5.0),
                    help="z range (default -5 5)")
    pl.add_argument("--param", action="append", default=[], metavar="NAME.KEY=VALUE",
                    help="a parameter, e.g. leaky_relu.alpha=0.2 (repeatable)")
    pl.add_argument("--theme", choices=("light", "dark"), default="light")
    pl.add_argument("--size", default="900x600", metavar="WxH",
                    help="size of the figure, title band included (default 900x600); a PNG "
                    "has --scale times as many pixels each way. Or a preset: slide "
                    "(1920x1080 pixels), slide-4:3 (1440x1080), a4 or letter (the paper's "
                    "width at 300 dpi)")
    pl.add_argument("--scale", type=float, default=2.0, help="PNG pixel scale 1–4 (default 2)")
    pl.add_argument("--presentation", action="store_true",
                    help="larger text, lines and markers, for the back of a room")
    pl.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                    help="FILE.png, FILE.svg, FILE.pdf or FILE.csv")

    tr = sub.add_parser("train", help="train an experiment headless and write its results")
    src = tr.add_mutually_exclusive_group(required=True)
    src.add_argument("experiment", nargs="?", type=Path, metavar="EXPERIMENT.alab",
                     help="a saved experiment: training goes on from where it stopped")
    src.add_argument("--preset", metavar="NAME", help="start a lesson preset afresh "
                     "(see 'activation-lab list presets')")
    add_data_arguments(tr, src)
    tr.add_argument("--epochs", type=int, default=100, metavar="N",
                    help="epochs to train (default 100)")
    tr.add_argument("--seed", type=int, metavar="S", help="set every seed (data, network, "
                    "training) to S and start afresh")
    tr.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                    help="folder for metrics.csv, experiment.alab and figures (default .)")
    tr.add_argument("--figures", action="store_true", help="also write every panel's image")
    tr.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                    help="the figures' format (default png)")
    tr.add_argument("--figure-size", metavar="WxH", help="the figures' size: WxH (title "
                    "band included, PNGs at 2x), slide, slide-4:3, a4 or letter (default "
                    "1000x680)")
    tr.add_argument("--presentation", action="store_true",
                    help="figures with larger text, lines and markers")

    _add_compare_parser(sub)

    ls = sub.add_parser("list", help="list activations, datasets, presets or lessons")
    ls.add_argument("what", choices=("activations", "datasets", "presets", "lessons"))

    info = sub.add_parser("info", help="formula, derivative, properties and conventions of one "
                          "activation")
    info.add_argument("activation", nargs="?", metavar="ACT")
    info.add_argument("--formula", metavar='"TEXT"', help="a typed formula instead of ACT, "
                      "e.g. \"x*sigmoid(beta*x); beta = 1 in [0.1, 10]\"")

    le = sub.add_parser("lesson", help="show a lesson, or check every step's goal headless")
    le.add_argument("lesson", metavar="NAME|FILE.toml", help="a built-in lesson (see "
                    "'activation-lab list lessons') or a lesson file")
    le.add_argument("--check", action="store_true", help="run every step's set-up and goal; "
                    "exit 0 if every checked goal passes, 1 if one fails")
    le.add_argument("--max-seeds", type=int, metavar="K", help="run at most K seeds of a "
                    "multi-seed goal (quicker; the failures it allows stay the same)")
    return p


def run_subcommand(argv: list[str]) -> int:
    """Run one subcommand; returns the exit code (0 done, 1 training diverged, 2 a mistake)."""
    args = build_parser().parse_args(argv)
    try:
        return {"plot": cmd_plot, "train": cmd_train, "list": cmd_list, "info": cmd_info,
                "compare": cmd_compare, "lesson": cmd_lesson}[args.command](args)
    except UserError as e:
        print(f"activation-lab {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("activation-lab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``activation-lab list activations | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


# --- list and info ---------------------------------------------------------------------------
def cmd_list(args) -> int:
    if args.what == "activations":
        for name in acts.names():
            print(f"{name:16s} {acts.get(name).info.display_name}")
    elif args.what == "datasets":
        for name in core.datasets.names():
            d = core.datasets.describe(name)
            print(f"{name:16s} {d.task:10s} {d.display_name}")
    elif args.what == "presets":
        for name, p in core.presets.all_presets().items():
            print(f"{name:20s} {p.title} — {p.question}")
    else:
        from core import lessons

        for name, lesson in lessons.builtin().items():
            print(f"{name:24s} {lesson.title}")
    return 0


def _activation(name: str, params: dict | None = None) -> acts.Activation:
    try:
        return acts.get(name, **(params or {}))
    except KeyError:
        raise UserError(f"there is no activation called {name!r}; run 'activation-lab list "
                        "activations' to see them") from None
    except ValueError as e:
        raise UserError(f"{name}: {e}") from None


def _formula_spec(text: str, name: str | None = None) -> str:
    """The spec of a formula typed on the command line (its '; p = d in [lo, hi]' parts
    included); UserError with the parser's sentence if refused."""
    from core.activations.formula import FORMULA_PREFIX, describe

    spec = FORMULA_PREFIX + text + (f"; name = {name}" if name else "")
    try:
        return describe(spec).name
    except ValueError as e:
        raise UserError(f"the formula {text[:60]!r} is refused: {e}") from None


def cmd_info(args) -> int:
    if (args.formula is None) == (args.activation is None):
        raise UserError("give one activation name or --formula \"TEXT\"")
    act = _activation(args.activation or _formula_spec(args.formula))
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
    if isinstance(act, acts.FormulaActivation):  # exact f″ too; the properties are estimates
        lines.insert(3, f"  second:         {act.second_derivative_text}")
        for n in range(4, 9):
            lines[n] += " (estimated)"
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


# --- lesson ------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def cmd_lesson(args) -> int:
    """Show a lesson, or (--check) run its steps' set-ups and goals: core.lessons.check_iter
    does the work, this prints one line per step as soon as it is decided."""
    import core.lessons as lessons

    if args.max_seeds is not None and not 1 <= args.max_seeds <= 20:
        raise UserError("--max-seeds must be between 1 and 20")
    try:
        lesson = lessons.find(args.lesson)
    except KeyError:
        raise UserError(f"there is no lesson called {args.lesson!r} and no such file; run "
                        "'activation-lab list lessons' to see them") from None
    except lessons.LessonError as e:
        raise UserError(_one_line(e)) from None
    print(f"{lesson.name}: {lesson.title}")
    if not args.check:
        print(f"  {_one_line(lesson.question)}")
        for step in lesson.steps:
            goal = f" — goal: {step.goal.describe()}" if step.goal else ""
            print(f"  {step.number}. {step.title} [{step.panel}]{goal}")
        return 0
    t0 = time.perf_counter()
    counts = {"PASS": 0, "FAIL": 0, "not checked": 0}
    try:
        for r in lessons.check_iter(lesson, max_seeds=args.max_seeds):
            counts[r.status] += 1
            what = r.result.text if r.result else "no goal the app can check"
            print(f"{r.status:<11s} step {r.step.number}: {r.step.title} — {_one_line(what)}",
                  flush=True)
    except lessons.LessonError as e:
        raise UserError(_one_line(e)) from None
    checked = counts["PASS"] + counts["FAIL"]
    print(f"{counts['PASS']} of {checked} checked goals passed, {counts['not checked']} steps "
          f"not checked, in {time.perf_counter() - t0:.1f} s")
    return 1 if counts["FAIL"] else 0


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


def _parse_size(text: str, scale: float = 2.0, option: str = "--size"):
    """A ``gui.export_sizes.FigureSize`` from ``WxH`` or a preset's name."""
    from .export_sizes import parse_figure_size

    try:
        return parse_figure_size(text, scale)
    except ValueError as e:
        raise UserError(f"{option}: {e} (e.g. 900x600 or slide)") from None


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["activation-lab"])


def _write_panel(panel, out: Path, size, presentation: bool = False) -> list[Path]:
    """``out`` is exactly ``size`` (a FigureSize: its pixels for a PNG, its logical size for
    a drawing), the title band included."""
    from .export import HEADER, write_csv, write_pdf, write_png, write_svg

    suffix = out.suffix.lower()
    plots = size.logical(HEADER)
    if suffix == ".png":
        return [write_png(panel, out, size.scale, "theme", plots, presentation=presentation,
                          pixels=size.pixels())]
    if suffix == ".svg":
        return [write_svg(panel, out, "theme", plots, presentation=presentation)]
    if suffix == ".pdf":
        return [write_pdf(panel, out, "theme", plots, presentation=presentation)]
    return write_csv(panel, out)


def cmd_plot(args) -> int:
    for item in args.formula:
        name, eq, text = item.partition("=")
        if not eq or not name.strip():
            raise UserError(f'--formula must look like NAME="TEXT", not {item[:60]!r}')
        args.activations.append(_formula_spec(text, name.strip()))
    if not args.activations:
        raise UserError("name at least one activation, or --formula NAME=\"TEXT\"")
    canonical = {}
    for name in args.activations:
        _activation(name)  # an unknown name is reported before anything else
        canonical[name] = acts.activation_class(name).name
    params = {canonical[n]: ps for n, ps in
              _parse_params(args.param, list(canonical)).items()}
    names = list(dict.fromkeys(canonical.values()))
    for name in names:
        _activation(name, params.get(name))  # parameter names and ranges
    lo, hi = args.range
    if not (lo < hi) or max(abs(lo), abs(hi)) > 1000:
        raise UserError("--range needs A < B, both within ±1000")
    if not 1 <= args.scale <= 4:
        raise UserError("--scale must be between 1 and 4")
    size = _parse_size(args.size, args.scale)
    out: Path = args.output
    if out.suffix.lower() not in (".png", ".svg", ".pdf", ".csv"):
        raise UserError(f"the output must end in .png, .svg, .pdf or .csv, not {out.name!r}")
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist")
    if out.is_dir():
        raise UserError(f"{out} is a folder, not a file name")

    _qt_app()
    from .theme import theme_named

    if args.derivative or args.second or args.numerical:
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
    panel.resize(round(size.width / size.scale), round(size.height / size.scale))
    panel.apply_theme(theme_named(args.theme))
    try:
        written = _write_panel(panel, out, size, args.presentation)
    except OSError as e:
        raise UserError(f"could not write {out}: {e.strerror or e}") from None
    for p in written:
        print(f"wrote {p}")
    return 0


# --- train -------------------------------------------------------------------------------------
def _load_source(args):
    from core.archive import ArchiveError, read_archive

    if args.data is not None:
        try:
            return experiment_from_data(args), None
        except DataError as e:
            raise UserError(str(e)) from None
    given = [f"--{o.replace('_', '-')}" for o in DATA_OPTIONS if getattr(args, o) is not None]
    if given:
        raise UserError(f"{given[0]} goes with --data FILE.csv (an experiment or a preset "
                        "sets up its own network and training)")
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


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal (at most 10 Hz)."""

    def __init__(self, total: int, metric: str) -> None:
        self.total, self.metric = total, metric
        self.on = sys.stderr.isatty()
        self.t0 = self.last = time.perf_counter()
        self.drawn = False

    def update(self, done: int, metrics: dict) -> None:
        now = time.perf_counter()
        if not self.on or (now - self.last < 0.1 and done < self.total):
            return
        self.last, self.drawn = now, True
        width = 30
        filled = int(width * done / max(self.total, 1))
        rate = done / max(now - self.t0, 1e-9)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] epoch {done}/{self.total}"
                         f"  loss {metrics.get('train_loss', float('nan')):.4g}  {self.metric} "
                         f"{metrics.get('test_metric', float('nan')):.3g}  {rate:.0f} epochs/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _with_seed(exp, seed: int):
    import dataclasses

    return dataclasses.replace(
        exp, dataset=dataclasses.replace(exp.dataset, seed=seed),
        network=dataclasses.replace(exp.network, seed=seed),
        training=dataclasses.replace(exp.training, seed=seed))


def cmd_train(args) -> int:
    from core.archive import ArchiveError, capture, history_csv, write_archive

    if not 1 <= args.epochs <= 1_000_000:
        raise UserError("--epochs must be between 1 and 1,000,000")
    if args.seed is not None and not 0 <= args.seed < 2**32:
        raise UserError("--seed must be between 0 and 4294967295")
    if args.figure_size is not None:
        _parse_size(args.figure_size, 2.0, "--figure-size")  # told before any training
    exp, saved = _load_source(args)
    if args.seed is not None:
        exp, saved = _with_seed(exp, args.seed), None  # new seeds mean a fresh start
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create the folder {out}: {e.strerror or e}") from None
    try:
        ds = exp.build_dataset()
        trainer = saved.build_trainer(ds) if saved is not None else exp.build_trainer(ds)
    except (ArchiveError, ValueError, KeyError, OSError) as e:
        raise UserError(f"cannot set up the experiment: {e}") from None

    metric = "R²" if ds.task == "regression" else "accuracy"
    progress = _Progress(args.epochs, metric)
    start = trainer.epoch
    problem, code = None, 0
    try:
        for i in range(args.epochs):
            trainer.run(epochs=1)
            progress.update(i + 1, trainer.metrics)
    except core.TrainingDiverged as e:
        problem, code = str(e), 1
    except KeyboardInterrupt:  # keep what was trained so far
        problem, code = "interrupted; the results so far were written", 130
    finally:
        progress.close()
    seconds = time.perf_counter() - progress.t0

    saved_now = capture(exp, trainer)
    try:
        (out / "metrics.csv").write_text(history_csv(saved_now.arrays), encoding="utf-8")
        write_archive(out / "experiment.alab", saved_now)
        written = ["metrics.csv", "experiment.alab"]
        if args.figures:
            written += [p.name for p in _figures(exp, trainer, out, args)]
    except OSError as e:
        raise UserError(f"cannot write to {out}: {e.strerror or e}") from None
    m = trainer.metrics
    print(f"trained {trainer.epoch - start} epochs ({trainer.step_count} steps in all) in "
          f"{seconds:.1f} s: train loss {m.get('train_loss', float('nan')):.4g}, "
          f"test {metric} {m.get('test_metric', float('nan')):.4g}")
    print(f"wrote {', '.join(written)} to {out}")
    if problem:
        print(f"activation-lab train: {problem}", file=sys.stderr)
    return code


def _figures(exp, trainer, out: Path, args) -> list[Path]:
    """Every panel's figure (--format, --figure-size, --presentation) and CSV for the
    trained state, drawn offscreen in the light theme, with the panel choices saved in the
    experiment."""
    size = _parse_size(args.figure_size or "1000x680", 2.0, "--figure-size")
    _qt_app()
    from .export import HEADER, write_csv
    from .live_view import make_live_view
    from .panels.registry import panel_classes
    from .theme import LIGHT

    view = make_live_view(trainer, exp)
    plots = size.logical(HEADER)
    written = []
    for cls in panel_classes():
        panel = cls()
        panel.resize(plots)
        panel.apply_theme(LIGHT)
        state = exp.panels.get(cls.panel_id) if isinstance(exp.panels, dict) else None
        if isinstance(state, dict):
            panel.restore_view_state(state)
        panel.update_view(view)
        written += _write_panel(panel, out / f"{cls.panel_id}.{args.format}", size,
                                args.presentation)
        try:
            written += write_csv(panel, out / f"{cls.panel_id}.csv")
        except ValueError:
            pass  # nothing plotted yet
        panel.deleteLater()
    return written


# --- compare -----------------------------------------------------------------------------------
def _add_compare_parser(sub) -> None:
    from core import compare

    settings = "\n".join(f"  {name:13s} {what}" for name, what in compare.describe_settings())
    ready = "\n".join(f"  {n:18s} {compare.get_preset(n).claim}" for n in compare.preset_names())
    cp = sub.add_parser(
        "compare", help="test a claim over many seeds: one setting varied, K seeds each",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train every value of one setting with the same K seeds (paired runs: "
        "seed k has the same data, batch order and, where the shapes allow, the same initial "
        "weights in every arm), in worker processes, then print the table and a one-sentence "
        "verdict and write summary.csv, runs.csv, curves.csv and comparison.alabcmp.",
        epilog=f"settings (--vary SETTING=V1,V2,...; the first value is the baseline):\n"
        f"{settings}\n\nready-made comparisons (--preset NAME; --vary, --epochs and --goal "
        f"then default to theirs):\n{ready}")
    src = cp.add_mutually_exclusive_group(required=True)
    src.add_argument("experiment", nargs="?", type=Path, metavar="EXPERIMENT.alab",
                     help="a saved experiment: its settings (not its trained state) are the "
                     "starting point")
    src.add_argument("--preset", metavar="NAME", help="a lesson preset ('activation-lab list "
                     "presets') or a ready-made comparison (below)")
    cp.add_argument("--vary", metavar="SETTING=V1,V2", help="the setting and 2 to 6 values")
    cp.add_argument("--seeds", metavar="K", help="how many seeds (1–20, default 5: seeds "
                    "0 … K−1), or the seeds themselves, e.g. 0,3,7")
    cp.add_argument("--epochs", type=int, metavar="N", help="epochs per run (default 100)")
    cp.add_argument("--goal", metavar="GOAL", help="what counts as reaching the goal, e.g. "
                    "\"test_metric>=0.95\" or \"train_loss<=0.1\"; the verdict then compares "
                    "epochs to reach it")
    cp.add_argument("--until-goal", action="store_true", help="stop each run at the goal "
                    "(at most --epochs)")
    cp.add_argument("--tune-lr", action="store_true", help="first pick each value's learning "
                    "rate from a small grid (its rate × 0.1 … × 10) on separate seeds")
    cp.add_argument("--jobs", type=int, metavar="J", help="worker processes (default: one per "
                    "core)")
    cp.add_argument("--out", type=Path, required=True, metavar="DIR",
                    help="folder for summary.csv, runs.csv, curves.csv and comparison.alabcmp")


def _compare_plan(args):
    from core import compare
    from core.archive import ArchiveError, read_archive

    ready = None
    if args.preset and args.preset in compare.preset_names():
        ready = compare.get_preset(args.preset)
        exp, source = ready.experiment(), f"comparison {args.preset}"
    elif args.preset:
        try:
            exp = core.presets.get(args.preset).experiment
        except KeyError:
            raise UserError(f"there is no preset or comparison called {args.preset!r}; run "
                            "'activation-lab list presets' or see 'activation-lab compare "
                            "--help'") from None
        source = f"preset {args.preset}"
    else:
        try:
            exp, source = read_archive(args.experiment).experiment, str(args.experiment)
        except ArchiveError as e:
            raise UserError(f"cannot open {args.experiment}: {e}") from None
    if args.vary is None and ready is None:
        raise UserError("say what to vary, e.g. --vary activation=relu,tanh")
    try:
        setting, values = (compare.parse_vary(args.vary) if args.vary
                           else (ready.setting, ready.values))
        seeds = compare.parse_seeds(args.seeds) if args.seeds else (
            tuple(range(ready.seeds if ready else compare.DEFAULT_SEEDS)))
        goal = compare.Goal.parse(args.goal) if args.goal else (
            compare.Goal.parse(ready.goal) if ready and ready.goal else None)
        epochs = args.epochs if args.epochs is not None else (ready.epochs if ready else 100)
        return compare.Plan(exp, setting, values, seeds, epochs, goal,
                            args.until_goal or bool(ready and ready.stop_at_goal),
                            args.tune_lr or bool(ready and ready.tune_lr), source).check()
    except (compare.PlanError, compare.SettingError, compare.GoalError) as e:
        raise UserError(str(e)) from None


def cmd_compare(args) -> int:
    from core import compare

    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise UserError("--jobs must be between 1 and 64")
    plan = _compare_plan(args)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create the folder {out}: {e.strerror or e}") from None
    tty = sys.stderr.isatty()
    job = compare.Comparison(plan, args.jobs).start()
    code = 0
    try:
        while not job.wait(0.2):
            if tty:
                sys.stderr.write(f"\r{compare.remaining_text(job.progress)}   ")
                sys.stderr.flush()
    except KeyboardInterrupt:  # keep what was trained so far
        job.close()
        code = 130
    if tty:
        sys.stderr.write("\r" + " " * 60 + "\r")
    result = job.result()
    summary = compare.summarize(result)
    print(compare.format_table(summary))
    print()
    print(compare.verdict(summary))
    for line in compare.warnings(summary):
        print(f"note: {line}")
    for ev in job.poll():
        if isinstance(ev, compare.WorkerLost):
            print(f"activation-lab compare: {ev.message}", file=sys.stderr)
    try:
        written = compare.write_folder(result, out)
        written += _compare_figures(result, out)
    except OSError as e:
        raise UserError(f"cannot write to {out}: {e.strerror or e}") from None
    print(f"wrote {', '.join(p.name for p in written)} to {out} "
          f"({result.seconds:.1f} s, {job.jobs} worker processes)")
    if code:
        print("activation-lab compare: interrupted; the results so far were written",
              file=sys.stderr)
    return code


def _compare_figures(result, out: Path) -> list[Path]:
    """The comparison's figure, curves.png: the Compare dock's curves, drawn offscreen in the
    light theme, of the number the verdict compares (the goal's metric, else the test loss,
    or the test metric when the values train with different losses); the numbers of every
    metric are in curves.csv."""
    _qt_app()
    from PySide6.QtCore import QSize

    from .compare import CompareCurves
    from .compare.curves import METRIC_CHOICES
    from .export import write_png
    from .theme import LIGHT

    plan = result.plan
    metric = plan.goal.metric if plan.goal is not None else plan.measure
    curves = CompareCurves()
    size = QSize(1000, 650)
    curves.resize(size)
    curves.apply_theme(LIGHT)
    curves.set_metric(metric if metric in METRIC_CHOICES else "test_metric")
    curves.show_result(result)
    try:
        return [write_png(curves, out / "curves.png", 2.0, "theme", size)]
    finally:
        curves.deleteLater()

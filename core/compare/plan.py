"""The plan of a comparison: one experiment, one setting varied over 2–6 values, K seeds.

**Pairing.** Run (value v, seed k) is the experiment with v applied and *every* seed — the
data's, the network's and the training's — set to k (``experiment_for``), exactly as
``activation-lab train --seed k`` does. So in every arm seed k has

- the same data and split: the data set draws its points and then the split from
  ``dataset.seed`` alone (a value that changes the data itself, such as ``noise``, draws
  different points from the same seed);
- the same batch order: the trainer shuffles with a generator seeded by ``training.seed``
  only, one permutation of the training rows per epoch (a different ``batch_size`` cuts that
  order into other batches);
- the same initial weights where the shapes allow: one generator seeded by ``network.seed``
  draws each layer's W in turn, and no initializer looks at the activation, so arms whose
  layers have the same shapes (activation, lr, optimizer, bias, batch norm, …) start from
  identical W; a different width changes every shape, and a different depth keeps the
  first layers the arms share. Biases all start at ``bias_init``.

Tuning (``tune_lr``): for every value, each learning rate of ``lr_grid`` (the arm's rate
× ``TUNE_FACTORS``) is tried on ``tuning_seeds`` — seeds apart from the compared ones, so the
chosen rate is not fitted to the runs being compared — and the rate with the best median
outcome is used for that value's runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..experiment import Experiment
from . import settings as _settings
from .goal import Goal, GoalError

__all__ = ["DEFAULT_SEEDS", "MAX_EPOCHS", "MAX_SEEDS", "MAX_VALUES", "TUNE_FACTORS", "Plan",
           "PlanError", "RunSpec", "parse_seeds", "with_seed"]

DEFAULT_SEEDS = 5
MAX_SEEDS = 20
MIN_VALUES, MAX_VALUES = 2, 6
MAX_EPOCHS = 5000
#: the learning-rate grid of ``tune_lr``, as factors of each arm's own rate
TUNE_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0)
TUNE_SEEDS = 3
TUNE_SEED_START = 1000
MAX_SEED = 2**32 - 1


class PlanError(ValueError):
    """An impossible comparison; the message is one sentence naming what is wrong."""


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"5"`` → seeds 0 … 4 (K seeds); ``"3,8,11"`` → exactly those. PlanError otherwise."""
    text = (text or "").strip()
    try:
        seeds = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise PlanError(f"--seeds is a count such as 5 or a list such as 0,3,7, not "
                        f"{text!r}") from None
    if len(seeds) == 1:
        if not 1 <= seeds[0] <= MAX_SEEDS:
            raise PlanError(f"--seeds takes 1 to {MAX_SEEDS} seeds, not {seeds[0]}")
        return tuple(range(seeds[0]))
    if not 1 <= len(seeds) <= MAX_SEEDS or len(set(seeds)) != len(seeds) or min(seeds) < 0 \
            or max(seeds) > MAX_SEED:
        raise PlanError(f"--seeds lists 1 to {MAX_SEEDS} different seeds from 0 to {MAX_SEED}")
    return seeds


def with_seed(exp: Experiment, seed: int) -> Experiment:
    """``exp`` with the data's, the network's and the training's seed all set to ``seed``."""
    return replace(exp, dataset=replace(exp.dataset, seed=seed),
                   network=replace(exp.network, seed=seed),
                   training=replace(exp.training, seed=seed))


@dataclass(frozen=True)
class RunSpec:
    """One training run of a comparison, everything a worker process needs.

    ``phase`` is "main" or "tune"; ``value_index`` indexes ``Plan.values``; ``experiment`` is
    the run's own (value applied, seeds set, learning rate chosen).
    """

    index: int
    phase: str
    value_index: int
    seed: int
    lr: float
    experiment: Experiment
    epochs: int
    goal: Goal | None
    stop_at_goal: bool
    #: test-only fault injection ("exit" or "hang" in the worker); see runner
    fault: str | None = None


def _int(v: Any, what: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise PlanError(f"{what} must be a whole number, not {v!r}")
    if not lo <= v <= hi:
        raise PlanError(f"{what} must be between {lo:,} and {hi:,}, not {v:,}")
    return v


@dataclass(frozen=True)
class Plan:
    """What to compare: ``setting`` over ``values`` on ``experiment``, each with ``seeds``.

    Parameters
    ----------
    experiment : Experiment
        The starting point; its own seeds are replaced by each run's seed.
    setting : str
        A name from ``settings.names()`` ("activation", "activation.2", "lr", ...).
    values : tuple of str
        2 to 6 values as typed; the first is the baseline the others are compared with.
    seeds : tuple of int
        1 to 20 distinct seeds (default 0 … 4); run k of every value uses seed k.
    epochs : int
        Epochs per run (1 … 5000); with ``stop_at_goal`` the most a run gets.
    goal : Goal, optional
        The target ("test_metric>=0.95"); the outcome is then epochs to reach it.
    stop_at_goal : bool
        Stop each run at the first epoch that meets the goal ("until the goal, at most N").
    tune_lr : bool
        Pick each value's learning rate from a small grid first (see the module docstring).
    source : str
        Where the experiment came from, for people ("preset circles-tanh").

    Raises
    ------
    PlanError
        From the constructor, for anything impossible, before anything runs. ``check()``
        also builds every arm's network and data once.
    """

    experiment: Experiment
    setting: str
    values: tuple[str, ...]
    seeds: tuple[int, ...] = tuple(range(DEFAULT_SEEDS))
    epochs: int = 100
    goal: Goal | None = None
    stop_at_goal: bool = False
    tune_lr: bool = False
    source: str = ""
    _parsed: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.experiment, Experiment):
            raise PlanError("a comparison starts from an experiment")
        try:
            setting = _settings.get(self.setting)
        except _settings.SettingError as e:
            raise PlanError(str(e)) from None
        values = tuple(self.values)
        if not all(isinstance(v, str) for v in values):
            raise PlanError("the values are given as text")
        values = tuple(v.strip() for v in values)
        if not MIN_VALUES <= len(values) <= MAX_VALUES:
            raise PlanError(f"compare {MIN_VALUES} to {MAX_VALUES} values of {self.setting}, "
                            f"not {len(values)}")
        parsed = []
        for text in values:
            try:
                parsed.append(setting.value(text, self.experiment))
            except _settings.SettingError as e:
                raise PlanError(str(e)) from None
        for i, p in enumerate(parsed):
            for j in range(i):
                if parsed[j] == p:
                    same = ("appears twice" if values[i] == values[j]
                            else f"is the same as {values[j]!r}")
                    raise PlanError(f"the value {values[i]!r} {same}")
        seeds = tuple(self.seeds)
        if not 1 <= len(seeds) <= MAX_SEEDS:
            raise PlanError(f"use 1 to {MAX_SEEDS} seeds, not {len(seeds)}")
        for s in seeds:
            _int(s, "a seed", 0, MAX_SEED)
        if len(set(seeds)) != len(seeds):
            raise PlanError("each seed may be used once")
        _int(self.epochs, "the number of epochs", 1, MAX_EPOCHS)
        if self.goal is not None and not isinstance(self.goal, Goal):
            raise PlanError("the goal must be a Goal")
        if self.stop_at_goal and self.goal is None:
            raise PlanError("stopping at the goal needs a goal")
        if self.tune_lr and setting.name == "lr":
            raise PlanError("the learning rate is what is compared, so it cannot also be tuned")
        object.__setattr__(self, "setting", setting.name)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "seeds", seeds)
        object.__setattr__(self, "stop_at_goal", bool(self.stop_at_goal))
        object.__setattr__(self, "tune_lr", bool(self.tune_lr))
        object.__setattr__(self, "_parsed", tuple(parsed))

    # --- the arms and their runs ----------------------------------------------------------
    @property
    def setting_record(self) -> _settings.Setting:
        return _settings.get(self.setting)

    @property
    def baseline(self) -> str:
        return self.values[0]

    def label(self, value_index: int) -> str:
        """How a sentence names a value: "relu" for a named thing (activation, output,
        init, optimizer), "lr=0.1" or "standardize=on" for the rest."""
        text = self.values[value_index]
        named = self.setting.startswith("activation") or self.setting in (
            "output", "init", "optimizer")
        return text if named else f"{self.setting}={text}"

    @property
    def measure(self) -> str:
        """What decides who beats whom: "goal" (epochs to reach it), else "test_loss" — or
        "test_metric" when the values train with different losses (``output``), whose loss
        values cannot be compared."""
        if self.goal is not None:
            return "goal"
        losses = {self.arm(i).training.loss for i in range(len(self.values))}
        return "test_metric" if len(losses) > 1 else "test_loss"

    def arm(self, value_index: int) -> Experiment:
        """The experiment with value ``value_index`` applied (its own seeds unchanged)."""
        return self.setting_record.apply(self.experiment, self._parsed[value_index])

    def experiment_for(self, value_index: int, seed: int, lr: float | None = None) -> Experiment:
        """The paired run: value applied, every seed set to ``seed``, optionally another lr."""
        exp = with_seed(self.arm(value_index), seed)
        if lr is not None:
            exp = replace(exp, training=replace(exp.training, lr=float(lr)))
        return exp

    @property
    def tuning_seeds(self) -> tuple[int, ...]:
        out, s = [], TUNE_SEED_START
        while len(out) < TUNE_SEEDS:
            if s not in self.seeds:
                out.append(s)
            s += 1
        return tuple(out)

    def lr_grid(self, value_index: int) -> tuple[float, ...]:
        """The learning rates tried for one value: its rate × ``TUNE_FACTORS``, at most 100."""
        base = self.arm(value_index).training.lr
        grid = []
        for f in TUNE_FACTORS:
            lr = float(f"{min(base * f, 100.0):.6g}")
            if lr > 0 and lr not in grid:
                grid.append(lr)
        return tuple(grid)

    def tuning_specs(self) -> list[RunSpec]:
        """Every tuning run (empty without ``tune_lr``), value by value, rate by rate."""
        if not self.tune_lr:
            return []
        specs = []
        for vi in range(len(self.values)):
            for lr in self.lr_grid(vi):
                for seed in self.tuning_seeds:
                    specs.append(RunSpec(len(specs), "tune", vi, seed, lr,
                                         self.experiment_for(vi, seed, lr), self.epochs,
                                         self.goal, self.stop_at_goal))
        return specs

    def main_specs(self, lrs: tuple[float | None, ...] | None = None) -> list[RunSpec]:
        """The compared runs, seed by seed and within a seed value by value (so partial
        results stay balanced); ``lrs`` are the tuned rates (None: each arm's own)."""
        specs = []
        for seed in self.seeds:
            for vi in range(len(self.values)):
                lr = lrs[vi] if lrs is not None else None
                exp = self.experiment_for(vi, seed, lr)
                specs.append(RunSpec(len(specs), "main", vi, seed, exp.training.lr, exp,
                                     self.epochs, self.goal, self.stop_at_goal))
        return specs

    @property
    def n_tuning_runs(self) -> int:
        if not self.tune_lr:
            return 0
        return sum(len(self.lr_grid(i)) for i in range(len(self.values))) * TUNE_SEEDS

    @property
    def n_runs(self) -> int:
        """Every run the comparison makes, tuning included."""
        return self.n_tuning_runs + len(self.values) * len(self.seeds)

    def check(self) -> Plan:
        """Build every arm's data set and network once (first seed); PlanError naming the
        value if one cannot be built. Returns the plan, so ``Plan(...).check()`` chains."""
        for vi, text in enumerate(self.values):
            exp = self.experiment_for(vi, self.seeds[0])
            try:
                ds = exp.build_dataset()
                trainer = exp.build_trainer(ds)
            except (ValueError, KeyError, TypeError, OSError) as e:
                why = str(e).strip("'\"")
                raise PlanError(f"{self.setting}={text} cannot be trained: {why}") from None
            if self.goal is not None and self.goal.metric.startswith("test") and (
                    trainer.x_test.shape[0] == 0):
                raise PlanError("this data set keeps no test rows, so a goal on the test set "
                                "can never be met; set it on train_metric or train_loss")
        return self

    # --- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "experiment": self.experiment.to_dict(), "setting": self.setting,
            "values": list(self.values), "seeds": list(self.seeds), "epochs": self.epochs,
            "goal": None if self.goal is None else self.goal.to_text(),
            "stop_at_goal": self.stop_at_goal, "tune_lr": self.tune_lr, "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Plan:
        """Validate and build; PlanError with one sentence on anything wrong."""
        if not isinstance(d, dict):
            raise PlanError("the plan is not a JSON object")
        unknown = set(d) - {"experiment", "setting", "values", "seeds", "epochs", "goal",
                            "stop_at_goal", "tune_lr", "source"}
        if unknown:
            raise PlanError(f"the plan has an unknown field {sorted(unknown)[0]!r}")
        try:
            exp = Experiment.from_dict(d.get("experiment"))
        except (ValueError, TypeError, RecursionError) as e:
            raise PlanError(f"the experiment is invalid: {e}") from None
        goal = d.get("goal")
        if goal is not None:
            if not isinstance(goal, str):
                raise PlanError("the goal must be text such as test_metric>=0.95")
            try:
                goal = Goal.parse(goal)
            except GoalError as e:
                raise PlanError(str(e)) from None
        values, seeds = d.get("values"), d.get("seeds")
        if not isinstance(values, list) or not isinstance(seeds, list):
            raise PlanError("the plan's values and seeds must be lists")
        flags = [d.get(k, False) for k in ("stop_at_goal", "tune_lr")]
        if not all(isinstance(f, bool) for f in flags):
            raise PlanError("stop_at_goal and tune_lr must be true or false")
        source = d.get("source", "")
        if not isinstance(source, str) or not isinstance(d.get("setting"), str):
            raise PlanError("the plan's setting and source must be text")
        return cls(exp, d["setting"], tuple(values), tuple(seeds), d.get("epochs"), goal,
                   flags[0], flags[1], source[:500])

"""Every claim the recurrent lab's lessons make, run and measured (no Qt needed).

The lessons are lesson files (``resources/lessons/*.toml``, topic "The recurrent lab"); each
paragraph of their steps' explanations is a claim, listed in ``CLAIMS`` by its first words,
with a test here named ``test_claim_<id>`` (dashes as underscores); the first test checks that
no paragraph goes unmeasured. The set-ups are the lessons' own (``[steps.recurrent]``, read
into a ``LabSetup``), trained as the lab trains them (``LabSetup.build_trainer``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys

import numpy as np
import pytest

import core
import core.lessons as L
from core.recurrent import GRU, LSTM, SequenceModel, forget_product
from core.recurrent.lab_setup import CellSetup, LabSetup

GRID = np.linspace(-12.0, 12.0, 240_001)

LESSONS = ("gates-and-candidates", "relu-in-an-lstm", "second-derivative", "gru")
#: claim id → (its lesson, the first words of its paragraph in the lesson's explanations)
CLAIMS = {
    "gates-pass-a-share": ("gates-and-candidates", "An LSTM step is c_t"),
    "tanh-bounds-the-cell": ("gates-and-candidates", "The candidate g = tanh(a)"),
    "tanh-writes-both-signs": ("gates-and-candidates", "Because g takes both signs,"),
    "sigmoid-candidate-only-adds": ("gates-and-candidates", "Run B's candidate is a"),
    "sigmoid-candidate-still-guesses": ("gates-and-candidates", "Here that matters: after 10"),
    "tanh-is-a-stretched-sigmoid": ("gates-and-candidates", "tanh is itself a sigmoid,"),
    "relu-has-no-ceiling": ("relu-in-an-lstm", "ReLU(a) = max(a, 0) has"),
    "relu-grows-along-the-sequence": ("relu-in-an-lstm", "Nothing squashes the loop either:"),
    "tanh-output-caps-h": ("relu-in-an-lstm", "Run A's output tanh caps"),
    "relu-gates-overflow": ("relu-in-an-lstm", "The gates need their sigmoid"),
    "second-derivatives-fade": ("second-derivative", "It does not sustain. tanh″"),
    "backprop-uses-first-derivatives": ("second-derivative", "And backpropagation never uses f″:"),
    "the-direct-path": ("second-derivative", "What carries the gradient back"),
    "forget-bias-keeps-the-product": ("second-derivative", "So forget gates near 1"),
    "training-opens-forget-gates": ("second-derivative", "Training moves forget gates towards"),
    "gru-averages": ("gru", "A GRU has no separate"),
    "gru-parameters": ("gru", "With three blocks of weights"),
    "update-gate-keeps": ("gru", "Its update gate plays the"),
    "both-learn": ("gru", "On this task both remember:"),
}


def paragraphs(name: str) -> list[str]:
    """The paragraphs of lesson ``name``'s explanations, as the student reads them."""
    return [" ".join(p.split()) for step in L.get(name).steps
            for p in step.explanation.split("\n\n") if p.strip()]


def claim(cid: str) -> str:
    """The text of claim ``cid``, read from its lesson file."""
    name, start = CLAIMS[cid]
    return next(p for p in paragraphs(name) if p.startswith(start))


def setup_of(name: str) -> LabSetup:
    """The lab's set-up in lesson ``name`` (each of these lessons has one)."""
    (setup,) = [s.recurrent for s in L.get(name).steps if s.recurrent is not None]
    return setup


@functools.cache
def _trained(setup_json: str, key: str, epochs: int):
    setup = LabSetup.from_dict(json.loads(setup_json))
    trainer = setup.build_trainer(key)
    trainer.run(epochs=epochs)
    return trainer


def trained(setup: LabSetup, key: str, epochs: int | None = None):
    """Run ``key`` of ``setup`` trained for ``epochs`` (the set-up's limit), shared by the
    tests that read the same run."""
    return _trained(json.dumps(setup.to_dict(), sort_keys=True), key,
                    setup.epochs if epochs is None else epochs)


def probe(trainer, rows=32):
    return trainer.probe(rows)


# --- the lessons' form ------------------------------------------------------------------
def test_every_paragraph_is_a_claim_with_its_test():
    module = sys.modules[__name__]
    lab_lessons = {n for n, l in L.builtin().items()
                   if any(s.recurrent is not None for s in l.steps)}
    assert lab_lessons == set(LESSONS)
    for name in LESSONS:
        assert L.get(name).topic == "The recurrent lab"
        for para in paragraphs(name):
            ids = [c for c, (n, start) in CLAIMS.items() if n == name and para.startswith(start)]
            assert len(ids) == 1, (name, para[:60])
    for cid, (name, _) in CLAIMS.items():
        assert sum(p.startswith(CLAIMS[cid][1]) for p in paragraphs(name)) == 1, cid
        assert hasattr(module, "test_claim_" + cid.replace("-", "_")), (
            f"the claim {cid!r} has no test")


def test_each_prediction_expects_what_the_runs_measure():
    """A prediction's expected answer is a claim too: each is measured here, on the runs the
    claims' tests train (the same cache)."""
    def expected(name):
        (p,) = [s.prediction for s in L.get(name).steps if s.prediction is not None]
        return p.choices[p.answer]

    setup = setup_of("gates-and-candidates")
    assert expected("gates-and-candidates") == "No, far less often"
    assert (trained(setup, "A").history.test_metric[-1] == 1.0
            and trained(setup, "B").history.test_metric[-1] <= 0.6)
    assert expected("relu-in-an-lstm") == "No"
    c, _ = largest_c(trained(setup_of("relu-in-an-lstm"), "B"))
    assert (c >= np.arange(1, 21)).any()  # somewhere |c_t| ≥ t: the bound is broken
    assert expected("second-derivative") == "Run A, forget bias 1"
    setup = setup_of("second-derivative")
    keep = {k: forget_product(probe(setup.build_trainer(k))[0].f)[-1].mean() for k in "AB"}
    assert keep["A"] > 100 * keep["B"]
    assert expected("gru") == "Yes"
    setup = setup_of("gru")
    assert trained(setup, "B").history.test_metric[-1] == trained(setup, "A").history.test_metric[
        -1] == 1.0


def test_the_numbers_in_the_texts_are_the_measured_ones():
    """The figures the claims' tests measure, as the lesson files write them."""
    assert "up to 1.25 here" in claim("relu-gates-overflow")
    assert "training stops at step 56" in claim("relu-gates-overflow")
    assert "over 1,000 here" in claim("relu-has-no-ceiling")
    assert "4/(3√3) ≈ 0.770, at z ≈ ±0.658" in claim("second-derivatives-fade")
    assert "912 parameters" in claim("gru-parameters")
    assert "(about half right)" in claim("sigmoid-candidate-still-guesses")


# --- 1. why sigmoid gates and a tanh candidate --------------------------------------------
def test_claim_gates_pass_a_share():
    sigmoid = core.activations.get("sigmoid")
    s = sigmoid.f(np.linspace(-30, 30, 6001))
    assert (s > 0).all() and (s < 1).all()
    rec, _ = probe(trained(setup_of("gates-and-candidates"), "A"))
    for gate in (rec.i, rec.f, rec.o):
        assert (gate > 0).all() and (gate < 1).all()


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_claim_tanh_bounds_the_cell(scale):
    rng = np.random.default_rng(0)
    for seed in range(5):
        cell = LSTM(1, 8, seed=seed)
        cell.flat[...] *= scale
        x = rng.normal(scale=3.0, size=(60, 16, 1))
        c = np.abs(cell.forward(x).c)  # (T, B, H): c_1 … c_T
        t = np.arange(1, 61)[:, None, None]
        assert (c < t).all()
        # the first inequality: |c_t| ≤ f|c_{t−1}| + i|g| < |c_{t−1}| + 1
        rec = cell.forward(x)
        assert (c <= rec.f * np.abs(rec.c_full[:-1]) + rec.i * np.abs(rec.g) + 1e-12).all()
        assert (c < np.abs(rec.c_full[:-1]) + 1).all()
    rec, _ = probe(trained(setup_of("gates-and-candidates"), "A"))
    assert (np.abs(rec.c) < np.arange(1, 21)[:, None, None]).all()


def test_claim_tanh_writes_both_signs():
    rec, _ = probe(trained(setup_of("gates-and-candidates"), "A"))
    assert (rec.g < 0).any() and (rec.g > 0).any()
    step = np.diff(rec.c_full, axis=0)
    assert (step > 0).any() and (step < 0).any()


def test_claim_sigmoid_candidate_only_adds():
    rec, _ = probe(trained(setup_of("gates-and-candidates"), "B"))
    assert (rec.g > 0).all()
    written = rec.c - rec.f * rec.c_full[:-1]
    assert np.allclose(written, rec.i * rec.g, rtol=1e-12, atol=0) and (written > 0).all()
    assert (rec.c > 0).all()
    # it falls only by forgetting: wherever c_t < c_{t−1}, f_t < 1 did it
    falls = rec.c < rec.c_full[:-1]
    assert falls.any() and (rec.f[falls] < 1).all()
    # the forget gate held at 1 (a bias of 100: σ rounds to exactly 1 in float64)
    setup = setup_of("gates-and-candidates").with_run("B", forget_bias=100.0)
    rec, _ = probe(setup.build_trainer("B"))
    assert (rec.f == 1.0).all()
    assert (np.diff(rec.c_full, axis=0) >= 0).all()


def test_claim_sigmoid_candidate_still_guesses():
    setup = setup_of("gates-and-candidates")
    a, b = trained(setup, "A"), trained(setup, "B")
    assert a.epoch == b.epoch == 10
    assert a.history.test_metric[-1] == 1.0
    assert 0.4 <= b.history.test_metric[-1] <= 0.6


def test_claim_tanh_is_a_stretched_sigmoid():
    tanh, sigmoid = core.activations.get("tanh"), core.activations.get("sigmoid")
    x = GRID
    assert np.allclose(tanh.f(x), 2 * sigmoid.f(2 * x) - 1, atol=1e-15)
    assert np.allclose(tanh.df(x), 4 * sigmoid.df(2 * x), atol=1e-15)
    s, t = sigmoid.f(x), tanh.f(x)
    assert np.allclose(sigmoid.df(x), s * (1 - s)) and np.allclose(tanh.df(x), 1 - t * t)
    zero = np.argmin(np.abs(x))
    assert sigmoid.df(x).max() == sigmoid.df(x)[zero] == 0.25
    assert tanh.df(x).max() == tanh.df(x)[zero] == 1.0
    assert tanh.info.output_range == (-1.0, 1.0) and (t < 0).any() and (t > 0).any()


# --- 2. could ReLU replace tanh -------------------------------------------------------------
def largest_c(trainer):
    rec, _ = probe(trainer, 64)
    return np.abs(rec.c).max(axis=(1, 2)), np.abs(rec.h).max()


def test_claim_relu_has_no_ceiling():
    assert core.activations.get("relu").info.output_range[1] == np.inf
    c, _ = largest_c(trained(setup_of("relu-in-an-lstm"), "B"))
    assert c[-1] > 1000


def test_claim_relu_grows_along_the_sequence():
    setup = setup_of("relu-in-an-lstm")
    assert setup.clip_norm is None and setup.steps == 20
    b = trained(setup, "B")  # TrainingDiverged would fail the test
    c, _ = largest_c(b)
    assert (c[4:] > c[3:-1]).all()  # step 5 on (index 4 is step 5): larger than the step before
    assert c[-1] / c[0] > 100
    assert b.history.test_metric[-1] == 1.0


def test_claim_tanh_output_caps_h():
    setup = setup_of("relu-in-an-lstm")
    _, h_a = largest_c(trained(setup, "A"))
    rec, _ = probe(trained(setup, "A"), 64)
    assert h_a < 1 and np.allclose(np.abs(rec.h), rec.o * np.abs(np.tanh(rec.c)))
    _, h_b = largest_c(trained(setup, "B"))
    assert h_b > 1


def test_claim_relu_gates_overflow():
    relu = core.activations.get("relu")
    assert relu.f(np.array([2.0]))[0] == 2.0  # a ReLU gate passes more than all of it
    setup = setup_of("relu-in-an-lstm")
    setup = setup.with_run("B", **{**dataclasses.asdict(setup.a), "gate": "relu"})
    assert setup.b == CellSetup(gate="relu") and setup.b.candidate == setup.a.candidate
    trainer = setup.build_trainer("B")
    rec, _ = probe(trainer)
    assert rec.f.max() > 1 and round(float(rec.f.max()), 2) == 1.25
    with pytest.raises(core.TrainingDiverged) as info:
        trainer.run(epochs=setup.epochs)
    assert info.value.step == 56 and info.value.part == "cell state"
    assert "reached" in str(info.value) and "limit is 1e+12" in str(info.value)


# --- 3. does the second derivative matter ---------------------------------------------------
def test_claim_second_derivatives_fade():
    tanh, sigmoid = core.activations.get("tanh"), core.activations.get("sigmoid")
    z = GRID
    t, s = tanh.f(z), sigmoid.f(z)
    assert np.allclose(tanh.d2f(z), -2 * t * (1 - t * t), atol=1e-15)
    assert np.allclose(sigmoid.d2f(z), s * (1 - s) * (1 - 2 * s), atol=1e-15)
    d2 = np.abs(tanh.d2f(z))
    assert abs(d2.max() - 4 / (3 * np.sqrt(3))) < 1e-9 and round(d2.max(), 3) == 0.770
    peak = np.arctanh(1 / np.sqrt(3))  # where tanh² = 1/3
    assert abs(abs(z[np.argmax(d2)]) - peak) < 2e-4 and round(peak, 3) == 0.658
    assert (d2 <= 2 * tanh.df(z) + 1e-15).all()
    five = np.array([5.0])
    assert round(float(tanh.df(five)[0]), 5) == 1.8e-4
    assert round(float(tanh.d2f(five)[0]), 5) == -3.6e-4
    d2s = np.abs(sigmoid.d2f(z))
    assert abs(d2s.max() - np.sqrt(3) / 18) < 1e-9 and round(d2s.max(), 3) == 0.096
    peak = np.log(2 + np.sqrt(3))  # where σ = (3 ± √3)/6
    assert abs(abs(z[np.argmax(d2s)]) - peak) < 2e-4 and round(peak, 3) == 1.317
    # "|σ″| ≤ σ′, so it fades as fast as its slope" (not faster: far out |σ″|/σ′ → 1 and
    # |tanh″|/tanh′ → 2, so neither outlasts its slope; σ″ at |z| = 8 is still 3.5·10⁻³ of
    # its peak, as σ′ is, since both fall like e^(−|z|))
    assert (d2s <= sigmoid.df(z) + 1e-15).all()
    far = np.abs(z) > 8
    assert np.allclose(d2s[far] / sigmoid.df(z)[far], 1, atol=1e-3)
    assert np.allclose(d2[far] / tanh.df(z)[far], 2, atol=1e-6)


def test_claim_backprop_uses_first_derivatives():
    tanh, sigmoid = core.activations.get("tanh"), core.activations.get("sigmoid")
    z = GRID
    assert sigmoid.df(z).max() <= 0.25 and tanh.df(z).max() <= 1.0
    assert (tanh.df(z[np.abs(z) > 1e-6]) < 1).all()
    # the lab's model (cell + readout): its gradient against central differences of the loss
    setup = setup_of("second-derivative").replace(steps=6, hidden=3, n_train=8, n_test=2)
    task = setup.build_task()
    model = SequenceModel(setup.a.build(1, 3, 0), task.n_outputs, task.readout, seed=0)
    x, y = task.x_train, task.y_train
    model.loss_and_gradients(x, y, task.loss)
    got = model.grad_flat.copy()
    num = np.zeros_like(got)
    for k in range(got.size):
        keep = model.flat[k]
        model.flat[k] = keep + 1e-6
        up = model.loss_and_gradients(x, y, task.loss)[0]
        model.flat[k] = keep - 1e-6
        down = model.loss_and_gradients(x, y, task.loss)[0]
        model.flat[k] = keep
        num[k] = (up - down) / 2e-6
    assert np.linalg.norm(num - got) / (np.linalg.norm(num) + np.linalg.norm(got)) < 1e-7


@pytest.mark.parametrize("cell_kw", [{}, {"candidate": "relu", "cell_output": "relu"}])
def test_claim_the_direct_path(cell_kw):
    """With W_hh = 0 the gates do not see c_0 at all: the direct path is the only path, and
    ∂c_t/∂c_0 = f_1⋯f_t exactly, whatever the candidate and output are."""
    cell = LSTM(1, 4, seed=3, **cell_kw)
    cell.weight_hh[...] = 0.0
    x = np.random.default_rng(1).normal(size=(12, 1, 1))
    c0 = np.zeros((1, 4))
    rec = cell.forward(x, c0=c0)
    eps = 1e-6
    for j in range(4):
        up, down = c0.copy(), c0.copy()
        up[0, j] += eps
        down[0, j] -= eps
        slope = (cell.forward(x, c0=up).c[:, 0, j] - cell.forward(x, c0=down).c[:, 0, j]) / (
            2 * eps)
        assert np.allclose(slope, np.cumprod(rec.f[:, 0, j]), rtol=1e-7, atol=1e-12)
    assert np.array_equal(forget_product(rec.f), np.cumprod(rec.f, axis=0))


def test_claim_forget_bias_keeps_the_product():
    setup = setup_of("second-derivative")
    assert (setup.a.forget_bias, setup.b.forget_bias) == (1.0, 0.0)
    products = {}
    for key, start in (("A", 1 / (1 + np.exp(-1.0))), ("B", 0.5)):
        rec, _ = probe(setup.build_trainer(key))  # before training
        assert abs(rec.f.mean() - start) < 0.02
        products[key] = forget_product(rec.f)[-1].mean()
    sigma_1 = 1 / (1 + np.exp(-1.0))
    assert round(sigma_1, 2) == 0.73 and round(sigma_1**20, 4) == 0.0019
    assert round(0.5**20 * 1e7, 1) == 9.5
    assert 0.001 <= products["A"] <= 0.003
    assert 0.5e-6 <= products["B"] <= 2e-6


def test_claim_training_opens_forget_gates():
    setup = setup_of("second-derivative")
    before, _ = probe(setup.build_trainer("A"))
    rec, _ = probe(trained(setup, "A"))
    best = forget_product(rec.f)[-1].mean(axis=0).max()  # per unit, over the sequences
    assert best > 0.1
    assert best > 10 * forget_product(before.f)[-1].mean(axis=0).max()


# --- 4. the GRU -----------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_claim_gru_averages(scale):
    rng = np.random.default_rng(2)
    for seed in range(4):
        cell = GRU(1, 8, seed=seed)
        cell.flat[...] *= scale
        x = rng.normal(scale=5.0, size=(50, 8, 1))
        rec = cell.forward(x)
        prev = rec.h_full[:-1]
        assert np.allclose(rec.h, (1 - rec.z) * rec.n + rec.z * prev, atol=1e-15)
        assert (np.abs(rec.h) <= np.maximum(np.abs(rec.n), np.abs(prev)) + 1e-15).all()
        assert (np.abs(rec.h) < 1).all()
    assert not hasattr(rec, "cell_out") and set(GRU(1, 2).acts) == {"gate", "candidate"}


def test_claim_gru_parameters():
    setup = setup_of("gru")
    assert setup.b.cell == "gru" and setup.hidden == 16 and setup.n_inputs() == 1
    gru, lstm = setup.b.build(1, 16, 0), setup.a.build(1, 16, 0)
    assert gru.n_params == 3 * 16 * (1 + 16 + 2) == 912
    assert lstm.n_params == 4 * 16 * 19 == 1216
    assert gru.n_params / lstm.n_params == 0.75


def test_claim_update_gate_keeps():
    cell = GRU(1, 4, seed=5)
    cell.weight_hh[...] = 0.0  # only the direct path: z ⊙ h_{t−1}
    x = np.random.default_rng(0).normal(size=(10, 1, 1))
    h0 = np.zeros((1, 4))
    rec = cell.forward(x, h0)
    eps = 1e-6
    for j in range(4):
        up, down = h0.copy(), h0.copy()
        up[0, j] += eps
        down[0, j] -= eps
        slope = (cell.forward(x, up).h[:, 0, j] - cell.forward(x, down).h[:, 0, j]) / (2 * eps)
        assert np.allclose(slope, np.cumprod(rec.z[:, 0, j]), rtol=1e-6, atol=1e-9)


def test_claim_both_learn():
    setup = setup_of("gru")
    a, b = trained(setup, "A"), trained(setup, "B")
    assert a.epoch == b.epoch == 10 and b.cell.kind == "gru"
    assert a.history.test_metric[-1] == 1.0 and b.history.test_metric[-1] == 1.0

"""The recurrent lab's lessons, as data: a set-up of the lab (``LabSetup.from_dict``) and the
text that goes with it.

Nothing here is code but this docstring and the one constant: every value is a plain string,
number, list or dict, so ``json.dumps(LESSONS)`` writes them out as they are (they are meant
to become lesson files once the lessons' format exists). A paragraph either makes a claim —
``{"claim": id, "text": …}``, and ``tests/gui/test_recurrent_lessons.py`` has a test of that
id that runs the set-up and measures what the text says — or tells the student what to do,
``{"do": …}``, and claims nothing.

Formulas use the engine's conventions: c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙ψ(c_t) for the LSTM;
h_t = (1 − z)⊙n + z⊙h_{t−1} for the GRU (PyTorch's), derivatives with respect to the
pre-activation.
"""

from __future__ import annotations

__all__ = ["LESSONS"]

LESSONS = [
    {
        "name": "gates-and-candidates",
        "title": "Why sigmoid gates and a tanh candidate?",
        "question": "Why do LSTMs use the sigmoid for their gates but tanh for the candidate "
                    "and the cell output?",
        "setup": {
            "task": "remember", "steps": 20, "hidden": 16, "epochs": 10, "seed": 0,
            "a": {"cell": "lstm", "gate": "sigmoid", "candidate": "tanh",
                  "cell_output": "tanh", "forget_bias": 1.0},
            "b": {"cell": "lstm", "gate": "sigmoid", "candidate": "sigmoid",
                  "cell_output": "tanh", "forget_bias": 1.0},
        },
        "paragraphs": [
            {"claim": "gates-pass-a-share",
             "text": "An LSTM step is c_t = f⊙c_{t−1} + i⊙g and h_t = o⊙tanh(c_t): the gates "
                     "i, f and o multiply. The sigmoid σ(a) = 1/(1 + e^(−a)) lies between 0 "
                     "and 1, so a gate passes a share of what it multiplies: near 0 it "
                     "blocks, near 1 it lets all of it through, and never more. Every gate "
                     "value of run A lies strictly between 0 and 1."},
            {"claim": "tanh-bounds-the-cell",
             "text": "The candidate g = tanh(a) lies between −1 and 1. So |c_t| ≤ "
                     "f|c_{t−1}| + i|g| < |c_{t−1}| + 1, and from c_0 = 0 the cell state "
                     "stays below t in size after t steps (|c_t| < t), whatever the weights "
                     "are."},
            {"claim": "tanh-writes-both-signs",
             "text": "Because g takes both signs, writing can push the cell state up or "
                     "down. After training, run A's candidate is negative at some steps and "
                     "positive at others, and its cell state rises at some steps and falls "
                     "at others."},
            {"claim": "sigmoid-candidate-only-adds",
             "text": "Run B's candidate is a sigmoid, so g > 0 and writing can only add: "
                     "c_t − f_t⊙c_{t−1} = i_t⊙g_t > 0 at every step, every c_t is positive, "
                     "and the cell state falls only by forgetting. With its forget gate "
                     "held at 1 it could only grow."},
            {"claim": "sigmoid-candidate-still-guesses",
             "text": "Here that matters: after 10 epochs with the same seed, run A names the "
                     "sign of the spike for every test sequence while run B still guesses "
                     "(about half right). A cell that can only add has to tell + from − by "
                     "how much it added."},
            {"claim": "tanh-is-a-stretched-sigmoid",
             "text": "tanh is itself a sigmoid, stretched and shifted: tanh x = 2σ(2x) − 1, "
                     "so tanh′(x) = 4σ′(2x). The slopes σ′ = σ(1 − σ) ≤ 1/4 and tanh′ = "
                     "1 − tanh² ≤ 1 are both largest at 0. What the candidate gains is the "
                     "range (−1, 1), with both signs."},
            {"do": "Press Train. In “Inside the cell” compare the g and c rows of run A and "
                   "run B; “Memory” shows the largest |c_t| of each run on a log axis."},
        ],
    },
    {
        "name": "relu-in-an-lstm",
        "title": "Could ReLU replace tanh in an LSTM?",
        "question": "Could a ReLU take the place of tanh as the candidate and the cell "
                    "output?",
        "setup": {
            "task": "remember", "steps": 20, "hidden": 16, "epochs": 10, "seed": 0,
            "clip_norm": None,
            "a": {"cell": "lstm", "gate": "sigmoid", "candidate": "tanh",
                  "cell_output": "tanh", "forget_bias": 1.0},
            "b": {"cell": "lstm", "gate": "sigmoid", "candidate": "relu",
                  "cell_output": "relu", "forget_bias": 1.0},
        },
        "paragraphs": [
            {"claim": "relu-has-no-ceiling",
             "text": "ReLU(a) = max(a, 0) has no upper bound, so with a ReLU candidate the "
                     "bound |c_t| < t is gone: how much a step writes depends only on the "
                     "weights. After training, run B's largest |c_t| at the last step is far "
                     "above t = 20 (over 1,000 here)."},
            {"claim": "relu-grows-along-the-sequence",
             "text": "Nothing squashes the loop either: h = o⊙ReLU(c) feeds the next "
                     "candidate as it is. Without clipping, from step 5 on run B's largest "
                     "|c_t| is larger at every step than at the one before, and more than a "
                     "hundred times larger at step 20 than at step 1. Yet at T = 20 training "
                     "does not diverge, and run B learns the task: every test sequence right "
                     "after 10 epochs."},
            {"claim": "tanh-output-caps-h",
             "text": "Run A's output tanh caps the hidden state, |h_t| = o·|tanh(c_t)| < 1, "
                     "whatever c does. Run B's hidden state has no cap: its largest |h_t| "
                     "is above 1 after training."},
            {"claim": "relu-gates-overflow",
             "text": "The gates need their sigmoid as much: a ReLU gate can exceed 1, and a "
                     "forget gate above 1 multiplies the cell state at every step. With ReLU "
                     "gates and everything else as in run A, forget gates start above 1 (up "
                     "to 1.25 here) and training stops at step 56: the cell state overflowed "
                     "(|c| passed 10¹²)."},
            {"do": "Press Train and open “Memory”: |c_t| is on a log axis. Then, under run B, "
                   "click ReLU for the gates and tanh for the candidate and output, and press "
                   "Train again."},
        ],
    },
    {
        "name": "second-derivative",
        "title": "Does tanh's second derivative matter?",
        "question": "A widely copied answer says tanh is used because its second derivative "
                    "“can sustain for a long range before going to zero”. Does f″ matter "
                    "at all?",
        "setup": {
            "task": "remember", "steps": 20, "hidden": 16, "epochs": 10, "seed": 0,
            "a": {"cell": "lstm", "gate": "sigmoid", "candidate": "tanh",
                  "cell_output": "tanh", "forget_bias": 1.0},
            "b": {"cell": "lstm", "gate": "sigmoid", "candidate": "tanh",
                  "cell_output": "tanh", "forget_bias": 0.0},
        },
        "paragraphs": [
            {"claim": "second-derivatives-fade",
             "text": "It does not sustain. tanh″ = −2 tanh·(1 − tanh²) is largest in size, "
                     "4/(3√3) ≈ 0.770, at z ≈ ±0.658, and |tanh″| ≤ 2 tanh′ everywhere, so "
                     "it fades exactly as fast as the slope: at z = 5, tanh′ ≈ 1.8·10⁻⁴ and "
                     "tanh″ ≈ −3.6·10⁻⁴. The sigmoid's σ″ = σ(1 − σ)(1 − 2σ) is largest in "
                     "size, √3/18 ≈ 0.096, at z ≈ ±1.317; as |1 − 2σ| ≤ 1, |σ″| ≤ σ′ "
                     "everywhere, so it too fades as fast as its slope."},
            {"claim": "backprop-uses-first-derivatives",
             "text": "And backpropagation never uses f″: every factor on the way back is a "
                     "first derivative, such as σ′ = σ(1 − σ) ≤ 1/4 or tanh′ = 1 − tanh² ≤ 1, "
                     "which is why the lab's gradients agree with central differences of the "
                     "loss. As tanh′ < 1 everywhere but at 0, tanh cannot keep a gradient "
                     "from vanishing by itself: a product of such factors can only shrink."},
            {"claim": "the-direct-path",
             "text": "What carries the gradient back through time is the additive update "
                     "c_t = f⊙c_{t−1} + i⊙g. Along it ∂c_t/∂c_{t−1} = f_t, with no "
                     "activation's slope in it, so the share of c_k that reaches c_t along "
                     "that path is f_{k+1}⋯f_t: the running product Π f in “Memory”."},
            {"claim": "forget-bias-keeps-the-product",
             "text": "So forget gates near 1 keep the memory. With forget bias 1 (run A) "
                     "the forget gates start near σ(1) ≈ 0.73, with bias 0 (run B) near "
                     "σ(0) = 0.5. Before training, Π f over the 20 steps is about 0.002 for "
                     "run A (σ(1)²⁰ ≈ 0.0019) and about 10⁻⁶ for run B (0.5²⁰ ≈ 9.5·10⁻⁷), "
                     "on average over the units and test sequences."},
            {"claim": "training-opens-forget-gates",
             "text": "Training moves forget gates towards 1 where the task needs memory: "
                     "after 10 epochs, the unit of run A that remembers best keeps more than "
                     "a tenth along the whole sequence (its Π f over the 20 steps is above "
                     "0.1, on average over the test sequences)."},
            {"do": "Press Train; in “Memory” compare Π f and ‖∂L/∂c_t‖ of run A and run B on "
                   "their log axes."},
            {"do": "To see f″ itself, open the main window's Derivatives panel, tick "
                   "“Show f″” and choose the hyperbolic tangent and the logistic sigmoid."},
        ],
    },
    {
        "name": "gru",
        "title": "The GRU: one tanh fewer",
        "question": "What does the GRU leave out of the LSTM, and does it still remember?",
        "setup": {
            "task": "remember", "steps": 20, "hidden": 16, "epochs": 10, "seed": 0,
            "a": {"cell": "lstm", "gate": "sigmoid", "candidate": "tanh",
                  "cell_output": "tanh", "forget_bias": 1.0},
            "b": {"cell": "gru", "gate": "sigmoid", "candidate": "tanh"},
        },
        "paragraphs": [
            {"claim": "gru-averages",
             "text": "A GRU has no separate cell state: h_t = (1 − z_t)⊙n_t + z_t⊙h_{t−1}, "
                     "with an update gate z = σ(…) and a candidate n = tanh(…). Each h_t is "
                     "a weighted average of the old state and the candidate, so |h_t| ≤ "
                     "max(|n_t|, |h_{t−1}|) < 1: it needs no output tanh to stay bounded, "
                     "and it has none."},
            {"claim": "gru-parameters",
             "text": "With three blocks of weights (reset r, update z, candidate n) where "
                     "the LSTM has four, it is a quarter smaller: with 16 units and one "
                     "input, 3·16·(1 + 16 + 2) = 912 parameters against the LSTM's "
                     "4·16·19 = 1,216."},
            {"claim": "update-gate-keeps",
             "text": "Its update gate plays the forget gate's part: along the direct path "
                     "∂h_t/∂h_{t−1} = z_t, so “Memory” shows the running product Π z for a "
                     "GRU."},
            {"claim": "both-learn",
             "text": "On this task both remember: after 10 epochs with the same seed, run A "
                     "and run B each name the sign of the spike for every test sequence."},
            {"do": "Press Train and compare “Inside the cell”: the GRU's rows are r, z, n "
                   "and h."},
        ],
    },
]

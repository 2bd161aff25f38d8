"""Crash safety of saving: a process SIGKILLed at random moments while it writes an .alab file
leaves the old file or the new one at the target path, never a broken one.

A helper process (``sys.executable``) imports the engine once and forks one writer per round
(a fork starts in a millisecond, a fresh interpreter in half a second). Each writer rewrites the
target in a loop, alternating two different experiments through ``core.archive.write_archive``,
and prints a line as each write starts. The test kills it with SIGKILL after a random number
of those lines plus a random busy-wait, then reads the target back.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.archive import read_archive

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"),
                                reason="needs fork and SIGKILL (POSIX)")

ROOT = Path(__file__).resolve().parent.parent
KILLS = 50

_HELPER = r"""
import dataclasses, os, sys, time
import core.presets
from core.archive import capture, write_archive
from core.experiment import LayerConfig

folder = sys.argv[1]
target = os.path.join(folder, "experiment.alab")
versions = []
for title, seed in (("version A", 1), ("version B", 2)):
    exp = core.presets.get("circles-tanh").experiment
    exp = dataclasses.replace(exp, title=title, network=dataclasses.replace(
        exp.network, seed=seed, hidden=(LayerConfig(120, "tanh"), LayerConfig(120, "tanh"))))
    trainer = exp.build_trainer()
    trainer.run(steps=seed)
    versions.append(capture(exp, trainer))
write_archive(os.path.join(folder, "a.alab"), versions[0])
write_archive(os.path.join(folder, "b.alab"), versions[1])
t0 = time.perf_counter()
for _ in range(3):
    write_archive(target, versions[0])
write_seconds = (time.perf_counter() - t0) / 3


def say(text):  # one write(2) per line: lines from this process and a writer never mix
    os.write(1, (text + "\n").encode())


say(f"ready {write_seconds}")  # and how long one write takes
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "fork":
        pid = os.fork()
        if pid == 0:  # the writer: rewrite the target until killed
            say(f"started {os.getpid()}")
            i = int(cmd[1])
            while True:
                say("w")
                write_archive(target, versions[i % 2])
                i += 1
        say(f"forked {pid}")
    elif cmd[0] == "reap":
        _, status = os.waitpid(int(cmd[1]), 0)
        say(f"reaped {cmd[1]} {os.WIFSIGNALED(status) and os.WTERMSIG(status)}")
    else:
        break
"""


def _same(saved, ref) -> bool:
    return saved.experiment == ref.experiment and all(
        np.array_equal(saved.arrays[k], ref.arrays[k]) for k in ref.arrays)


def test_sigkill_mid_save_leaves_the_old_or_the_new_file(tmp_path):
    helper = subprocess.Popen(
        [sys.executable, "-c", _HELPER, str(tmp_path)], cwd=ROOT, text=True, bufsize=1,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})  # one thread: safe to fork
    rnd = random.Random(7)
    target = tmp_path / "experiment.alab"
    seen = {"version A": 0, "version B": 0}
    left_temporaries = 0
    pid = None

    def stop_all() -> None:  # the watchdog: a stuck helper fails the test instead of hanging
        helper.kill()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    watchdog = threading.Timer(120, stop_all)
    watchdog.start()

    def send(command: str) -> None:
        helper.stdin.write(command + "\n")
        helper.stdin.flush()

    def expect(prefix: str) -> list[str]:
        while True:
            line = helper.stdout.readline()
            assert line, "the helper process ended"
            if line.startswith(prefix):
                return line.split()

    try:
        write_seconds = float(expect("ready")[1])
        a, b = read_archive(tmp_path / "a.alab"), read_archive(tmp_path / "b.alab")
        for round_ in range(KILLS):
            send(f"fork {round_}")
            pid = int(expect("started")[1])
            for _ in range(rnd.randint(1, 4)):  # let it start some writes…
                expect("w")
            # …and kill it at a random point of one (a busy-wait: no sleep, no scheduling)
            deadline = time.perf_counter() + rnd.uniform(0, 1.2 * write_seconds)
            while time.perf_counter() < deadline:
                pass
            os.kill(pid, signal.SIGKILL)
            send(f"reap {pid}")
            assert expect("reaped")[2] == str(int(signal.SIGKILL)), "not killed by SIGKILL"

            saved = read_archive(target)  # never an ArchiveError: the file is whole
            assert _same(saved, a) or _same(saved, b), f"round {round_}: a mixed file"
            seen[saved.experiment.title] += 1
            temporaries = list(tmp_path.glob(".experiment.alab.*.tmp"))
            left_temporaries += len(temporaries)
            for tmp in temporaries:  # what a restarted app cleans up (gui.autosave)
                tmp.unlink()
        send("quit")
        assert helper.wait(timeout=10) == 0
    finally:
        watchdog.cancel()
        if helper.poll() is None:  # a failure above: end the writer and the helper
            stop_all()
        helper.wait()
    # both versions were found, and some kills did land inside a write (a temp file was left)
    assert seen["version A"] > 0 and seen["version B"] > 0, seen
    assert left_temporaries > 0

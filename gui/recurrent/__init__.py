"""The Recurrent lab tool dock: train an LSTM or GRU cell (``core.recurrent``) on a sequence
task, two set-ups side by side (A and B, the same seed), and watch its gates.

Modules without Qt (the training process imports them): ``setup`` (the lab's experiment,
``core.recurrent.lab_setup``, re-exported), ``views`` (what one frame shows, computed in the
training process), ``messages`` (the commands and events between the processes) and
``process`` (the training process's loop). The lab's lessons are lesson files
(``resources/lessons``, ``[steps.recurrent]``), followed in the Lessons dock. With Qt:
``worker`` (the GUI's handle on the process), ``form`` (the set-up widgets), ``plots_base``,
``plots_cell``, ``plots_memory`` and ``plots_training`` (the plots, each a
``gui.panels.base.Panel``) and ``dock`` (the dock's widget, ``RecurrentLab``; ``gui.wiring``
registers it as the "recurrent" tool dock, F4).

This file imports nothing, so the training process does not import Qt through it.
"""

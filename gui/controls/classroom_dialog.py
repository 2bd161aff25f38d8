"""The Classroom Set-up dialog: for each control, whether a student sees it, sees it locked,
or does not see it (``core.experiment.Classroom``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.experiment import CLASSROOM_CONTROLS, Classroom

__all__ = ["ClassroomDialog", "CHOICES"]

#: the column of each choice, and its heading
CHOICES = ("shown", "locked", "hidden")
_HEADINGS = ("Shown", "Locked", "Hidden")

_INTRO = ("Choose what your students see. A locked control shows its value but cannot be "
          "changed; a hidden one is not shown at all. Save the experiment (File → Save) and "
          "give the file to your students: it opens with this set-up. Train → Unlock All "
          "Controls shows everything again (this is a teaching aid, not a lock against a "
          "determined student).")


class ClassroomDialog(QDialog):
    """Edits a :class:`Classroom`; :meth:`classroom` is the choice after OK."""

    def __init__(self, classroom: Classroom, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("classroom-dialog")
        self.setWindowTitle("Classroom Set-up")
        intro = QLabel(_INTRO, self)
        intro.setWordWrap(True)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setVerticalSpacing(2)
        for col, heading in enumerate(_HEADINGS, start=1):
            grid.addWidget(QLabel(f"<b>{heading}</b>", body), 0, col)
        self.groups: dict[str, QButtonGroup] = {}
        row, section = 1, None
        for control, (where, label) in CLASSROOM_CONTROLS.items():
            if where != section:
                section = where
                grid.addWidget(QLabel(f"<b>{where}</b>", body), row, 0)
                row += 1
            grid.addWidget(QLabel(f"    {label}", body), row, 0)
            group = QButtonGroup(self)
            for col, choice in enumerate(CHOICES):
                button = QRadioButton(body)
                button.setObjectName(f"{control}-{choice}")
                button.setToolTip(f"{label}: {choice}")
                group.addButton(button, col)
                grid.addWidget(button, row, col + 1)
            self.groups[control] = group
            row += 1
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        show_all = QPushButton("Show All", self)
        show_all.setToolTip("Every control shown and unlocked.")
        show_all.clicked.connect(lambda: self.set_classroom(Classroom()))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(show_all, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(scroll, 1)
        lay.addWidget(buttons)
        self.resize(520, 640)
        self.set_classroom(classroom)

    def set_classroom(self, classroom: Classroom) -> None:
        for control, group in self.groups.items():
            choice = ("hidden" if control in classroom.hidden else
                      "locked" if control in classroom.locked else "shown")
            group.button(CHOICES.index(choice)).setChecked(True)

    def choose(self, control: str, choice: str) -> None:
        """Pick ``choice`` ("shown", "locked" or "hidden") for ``control`` (for tests)."""
        self.groups[control].button(CHOICES.index(choice)).setChecked(True)

    def classroom(self) -> Classroom:
        picked = {c: CHOICES[g.checkedId()] for c, g in self.groups.items()}
        return Classroom(hidden=frozenset(c for c, v in picked.items() if v == "hidden"),
                         locked=frozenset(c for c, v in picked.items() if v == "locked"))

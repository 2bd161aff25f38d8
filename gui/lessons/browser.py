"""The lesson text's widget: Markdown shown as rich text that loads nothing and opens nothing."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QTextDocument, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

__all__ = ["MARKDOWN", "SafeBrowser"]

#: Markdown as GitHub writes it, with HTML off: a lesson file's text is shown, not run
MARKDOWN = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
            | QTextDocument.MarkdownFeature.MarkdownNoHTML)


class SafeBrowser(QTextBrowser):
    """Rich text that loads nothing (no images, files or network; links stay unopened), as
    tall as its text: the dock's scroll area scrolls it with what follows.

    Signals
    -------
    heightChanged() : the text needs another height (new text, or a new width).
    """

    heightChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # as wide as the dock gives it, never wider: the text wraps, nothing scrolls sideways
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)

    def loadResource(self, kind: int, name: QUrl):  # noqa: N802 (Qt override)
        # empty, not None: None would let the document load the file itself
        return QByteArray()

    def set_markdown(self, text: str) -> None:
        self.document().setMarkdown(text, MARKDOWN)
        self._fit()

    def y_of(self, text: str) -> int | None:
        """Where the first line holding ``text`` starts, in this widget (None: not there)."""
        found = self.document().find(text)
        if found.isNull():
            return None
        return self.cursorRect(found).top()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        doc = self.document()
        doc.setTextWidth(self.viewport().width())
        h = int(doc.size().height()) + 2 * self.frameWidth() + 2
        if h != self.height():
            self.setFixedHeight(h)
            self.heightChanged.emit()

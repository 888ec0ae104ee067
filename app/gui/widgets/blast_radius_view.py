"""The blast radius drawn: system → identities → delegated identities → resources.

Nodes are laid out in columns (the system, the identities it uses, each further delegation
hop, then the resources reached); edges into resources carry the strongest action, edges
between identities the kind of delegation. Resources are coloured by sensitivity, the system
by its risk tier. Below the drawing, the explaining paths are listed as text.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.blast_radius import BlastRadius
from app.domain.enums import RiskTier
from app.gui.theme import UNKNOWN_COLOUR
from app.gui.widgets.blast_radius_layout import (
    ACTION_COLOURS,
    COLUMN_GAP,
    DELEGATION_COLOUR,
    NODE_HEIGHT,
    NODE_WIDTH,
    ROW_GAP,
    SENSITIVITY_COLOURS,
    Edge,
    Layout,
    Node,
    build_layout,
    paths_text,
)
from app.support.text import plural

logger = logging.getLogger(__name__)


class BlastRadiusGraph(QGraphicsView):
    """The drawing; Ctrl+wheel zooms, Fit shows everything."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAccessibleName("Blast radius drawing")
        self.layout_data = Layout()
        self._auto_fit = True
        self._centres: dict[str, QPointF] = {}

    def show_layout(self, layout: Layout) -> None:
        self.layout_data = layout
        scene = self.scene()
        scene.clear()
        self._centres.clear()
        for node in layout.nodes:  # one grid for all columns, so lanes between rows stay free
            self._centres[node.id] = QPointF(node.column * COLUMN_GAP, node.row * ROW_GAP)
        for edge in layout.edges:
            self._draw_edge(edge)
        for node in layout.nodes:
            self._draw_node(node)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self._auto_fit = True
        self.fit()

    def _draw_node(self, node: Node) -> None:
        centre = self._centres[node.id]
        rect = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)
        box = QGraphicsRectItem(rect)
        box.setPos(centre)
        box.setBrush(QBrush(QColor(node.colour)))
        box.setPen(QPen(QColor("#455a64"), 2.0 if node.kind == "system" else 1.0))
        box.setToolTip(node.tooltip)
        box.setZValue(2)
        box.setData(0, node.id)
        self.scene().addItem(box)
        lines = [(node.label, True), (node.detail, False)] if node.detail else [(node.label, True)]
        height = 0.0
        items = []
        for text, bold in lines:
            item = QGraphicsSimpleTextItem(box)
            font = item.font()
            font.setBold(bold)
            if not bold:
                font.setPointSizeF(font.pointSizeF() * 0.85)
            item.setFont(font)
            elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                   int(NODE_WIDTH - 12))  # fmt: skip
            item.setText(elided)
            item.setBrush(QBrush(QColor("#000000" if bold else "#37474f")))
            items.append(item)
            height += item.boundingRect().height()
        top = -height / 2
        for item in items:
            bounds = item.boundingRect()
            item.setPos(-bounds.width() / 2, top)
            top += bounds.height()

    def _edge_path(self, start: QPointF, end: QPointF) -> tuple[QPainterPath, QPointF]:
        """Return the edge's curve and where its label goes."""
        begin = QPointF(start.x() + NODE_WIDTH / 2, start.y())
        finish = QPointF(end.x() - NODE_WIDTH / 2, end.y())
        gap = COLUMN_GAP - NODE_WIDTH
        path = QPainterPath(begin)
        if finish.x() <= begin.x():  # back to an earlier column: loop below the boxes
            dip = max(abs(finish.y() - begin.y()), ROW_GAP) + ROW_GAP / 2
            path.cubicTo(begin + QPointF(80, dip), finish - QPointF(80, -dip), finish)
            return path, path.pointAtPercent(0.5)
        if finish.x() - begin.x() <= gap + 1:  # neighbouring columns
            bend = (finish.x() - begin.x()) / 2
            path.cubicTo(begin + QPointF(bend, 0), finish - QPointF(bend, 0), finish)
            return path, path.pointAtPercent(0.5)
        # Across columns: run along the lane between two rows, clear of the boxes between.
        lane = start.y() + (ROW_GAP / 2 if end.y() >= start.y() else -ROW_GAP / 2)
        enter = QPointF(begin.x() + gap / 2, lane)
        leave = QPointF(finish.x() - gap / 2, lane)
        path.cubicTo(begin + QPointF(gap / 4, 0), enter - QPointF(gap / 4, 0), enter)
        path.lineTo(leave)
        last = QPainterPath(leave)
        last.cubicTo(leave + QPointF(gap / 4, 0), finish - QPointF(gap / 4, 0), finish)
        path.connectPath(last)
        return path, last.pointAtPercent(0.5)

    def _draw_edge(self, edge: Edge) -> None:
        start, end = self._centres.get(edge.source), self._centres.get(edge.target)
        if start is None or end is None:
            return
        path, label_at = self._edge_path(start, end)
        finish = path.currentPosition()
        colour = QColor(
            ACTION_COLOURS.get(edge.label, "#78909c") if edge.kind == "grant"
            else DELEGATION_COLOUR if edge.kind == "delegation" else "#78909c"
        )  # fmt: skip
        line = QGraphicsPathItem(path)
        pen = QPen(colour, 2.0 if edge.label == "admin" else 1.4)
        if edge.kind == "delegation":
            pen.setStyle(Qt.PenStyle.DashLine)
        line.setPen(pen)
        line.setZValue(0)
        self.scene().addItem(line)
        arrow = QGraphicsPolygonItem(
            QPolygonF([finish, finish + QPointF(-9, -5), finish + QPointF(-9, 5)])
        )
        arrow.setBrush(QBrush(colour))
        arrow.setPen(QPen(colour))
        arrow.setZValue(1)
        self.scene().addItem(arrow)
        if edge.label:
            self._draw_label(edge.label, label_at, colour)

    def _draw_label(self, label: str, at: QPointF, colour: QColor) -> None:
        text = QGraphicsSimpleTextItem(label)
        text.setBrush(QBrush(colour))
        bounds = text.boundingRect()
        back = QGraphicsRectItem(bounds.adjusted(-3, -1, 3, 1))
        back.setBrush(QBrush(QColor("#ffffff")))
        back.setPen(QPen(colour, 0.6))
        back.setPos(at.x() - bounds.width() / 2, at.y() - bounds.height() / 2)
        back.setZValue(3)
        text.setParentItem(back)
        self.scene().addItem(back)

    def fit(self) -> None:
        """Show the whole drawing, never magnified beyond its natural size."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
        self._auto_fit = True

    def zoom(self, factor: float) -> None:
        self._auto_fit = False
        self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()


def legend_html() -> str:
    """Return the colour legend of the drawing."""

    def swatch(colour: str, text: str) -> str:
        return (
            f"<span style='background:{colour}; color:#000'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"
            f"&nbsp;{html.escape(text)}&nbsp;&nbsp;"
        )

    resources = "".join(
        swatch(colour, level.value if level else "unrecorded")
        for level, colour in SENSITIVITY_COLOURS.items()
    )
    actions = "".join(
        f"<span style='color:{colour}'>━ {action}</span>&nbsp;&nbsp;"
        for action, colour in ACTION_COLOURS.items()
    )
    return (
        f"Resources: {resources}&nbsp;&nbsp; Grants: {actions}"
        f"<span style='color:{DELEGATION_COLOUR}'>┅ delegation</span>"
    )


class BlastRadiusView(QWidget):
    """Summary, drawing and explaining paths of one system's blast radius."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = QLabel(legend_html())
        self.legend.setWordWrap(True)
        self.graph = BlastRadiusGraph()
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show the whole drawing (Ctrl+wheel zooms)")
        self.fit_button.clicked.connect(self.graph.fit)
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setToolTip("Zoom in")
        self.zoom_in_button.clicked.connect(lambda: self.graph.zoom(1.25))
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setToolTip("Zoom out")
        self.zoom_out_button.clicked.connect(lambda: self.graph.zoom(0.8))
        self.paths = QPlainTextEdit()
        self.paths.setReadOnly(True)
        self.paths.setAccessibleName("Blast radius paths")
        self.paths.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        bar = QHBoxLayout()
        bar.addWidget(self.legend, 1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            button.setMaximumWidth(60)
            bar.addWidget(button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.graph, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.paths)
        splitter.setSizes([420, 160])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def show_blast_radius(
        self,
        system: str,
        system_name: str,
        blast: BlastRadius,
        *,
        direct: Sequence[str],
        delegations: Sequence[tuple[str, str, str]],
        resource_names: dict[str, str],
        tier: RiskTier | None,
        formula: str = "",
        identity_names: dict[str, str] | None = None,
    ) -> None:
        layout = build_layout(system, system_name, blast, direct=direct, delegations=delegations,
                              resource_names=resource_names, tier=tier,
                              identity_names=identity_names)  # fmt: skip
        self.graph.show_layout(layout)
        chain = blast.chain
        chain_text = (
            f"{plural(chain.depth, 'hop')}: {' → '.join(chain.identities)}"
            + ("" if chain.exact else " (at least; the search was cut short)")
            if chain.depth
            else "none"
        )
        hidden = []
        if layout.hidden_identities:
            hidden.append(f"{layout.hidden_identities:,} identities")
        if layout.hidden_resources:
            hidden.append(f"{layout.hidden_resources:,} resources")
        e = html.escape
        if blast.unknown:
            self.summary.setText(
                f"<b style='color:{UNKNOWN_COLOUR}'>Blast radius unknown</b> — access not "
                f"recorded: {e(blast.unknown)}. Record the identities this system uses and their "
                "grants to measure it; an unknown blast radius is not a low one."
            )
            self.paths.setPlainText(paths_text(system, blast, resource_names))
            return
        self.summary.setText(
            f"<b>Blast radius {blast.score} / 100 ({e(blast.tier.value)})</b> — weighted sum "
            f"{blast.raw} over {plural(len(blast.resources), 'resource')}, reached through "
            f"{plural(len(blast.identities), 'identity')}. "
            f"Longest delegation chain: {e(chain_text)}."
            + (f" The drawing leaves out {e(' and '.join(hidden))}." if hidden else "")
            + (f"<br><span style='color:gray'>{e(formula)}</span>" if formula else "")
        )
        self.paths.setPlainText(paths_text(system, blast, resource_names))

"""The Reports page: PDF and Excel reports, signing, preview, verification, OSCAL exports."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs, tasks
from app.gui.context import GuiContext
from app.gui.dialogs.countersign_dialog import CountersignDialog
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.dialogs.verify_dialog import VerifyDialog
from app.gui.pages.prepared_report import PreparedReport
from app.gui.role_gate import gate
from app.gui.widgets.appendix_choice import AppendixChoice
from app.gui.widgets.credential_picker import CredentialPicker
from app.gui.widgets.pdf_preview import PdfPreview
from app.services.assessments import AssessmentInfo, list_assessments
from app.services.oscal import OscalExport, export_oscal
from app.services.quality_gate import QualityReport, run_quality_gate
from app.services.reporting import (
    ReportOutcome,
    ResponsesImport,
    SigningRequest,
    generate_pdf,
    generate_portfolio,
    generate_workbook,
    import_responses,
)
from app.support.preferences import load_preferences, save_preferences
from app.support.text import plural

logger = logging.getLogger(__name__)

SIGN_TIP = "A PAdES signature with your certificate file or your smart card / token"

PDF, XLSX, PORTFOLIO, PORTFOLIO_XLSX = "pdf", "xlsx", "portfolio", "portfolio-xlsx"
_PORTFOLIOS = (PORTFOLIO, PORTFOLIO_XLSX)
_FORMATS = (
    (PDF, "PDF report", "The assessment report as a PDF, optionally signed"),
    (XLSX, "Excel workbook", "Summary, scores, responses, POA&M, inventory and evidence sheets"),
    (PORTFOLIO, "Portfolio PDF", "Every AI system: heat map, top findings, identity KPIs"),
    (
        PORTFOLIO_XLSX,
        "Portfolio workbook",
        "The organisation's results once, then every AI system with its own results, "
        "own, inherited and overridden answers; identity KPIs; top findings",
    ),
)
_PROFILES = (
    ("Internal (everything)", "internal"),
    ("Client (no internal notes, secrets masked)", "client"),
)
_FILTERS = {
    PDF: "PDF files (*.pdf)",
    XLSX: "Excel workbooks (*.xlsx)",
    PORTFOLIO: "PDF (*.pdf)",
    PORTFOLIO_XLSX: "Excel workbooks (*.xlsx)",
}
_XLSX_KINDS = (XLSX, PORTFOLIO_XLSX)


def assessment_label(info: AssessmentInfo) -> str:
    return f"#{info.id} {info.title} — {info.system} ({info.status})"


def default_file_name(kind: str, info: AssessmentInfo | None, profile: str) -> str:
    suffix = "xlsx" if kind in _XLSX_KINDS else "pdf"
    if kind in _PORTFOLIOS or info is None:
        return f"portfolio-{profile}.{suffix}"
    return f"{info.system}-assessment-{info.id}-{profile}.{suffix}"


class ReportsPage(QWidget):
    """Choose assessment, format, profile and signing; generate in a worker; preview; verify."""

    report_written = Signal(object)
    """A report file was written; the argument is the ``ReportOutcome``."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._infos: dict[int, AssessmentInfo] = {}
        self._gate_generation = 0
        self.last_outcome: ReportOutcome | None = None
        self._running: set[str] = set()
        """The buttons whose work runs ("generate", "oscal"): a refresh keeps them disabled."""
        self._prepared = PreparedReport()
        """A report process started when the page shows, so a PDF starts without waiting."""
        self.destroyed.connect(self._prepared.close)
        self._build()
        context.workspace_changed.connect(self._on_workspace_changed)
        context.watch("reports", lambda _written: self.refresh())
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Prepare a report process while the user chooses what to write."""
        super().showEvent(event)
        self._prepared.prepare()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Let the prepared report process go while the page is not in use."""
        super().hideEvent(event)
        self._prepared.stop()

    # Layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        heading = QLabel("Reports")
        heading.setObjectName("pageHeading")
        self.verify_button = QPushButton("Verify a PDF…")
        self.verify_button.setToolTip("Check the signature of any signed PDF report")
        self.verify_button.clicked.connect(lambda: self.open_verify_dialog())
        self.countersign_button = QPushButton("Countersign a PDF…")
        self.countersign_button.setToolTip(
            "As the reviewer, add your signature to a report the assessor signed"
        )
        self.countersign_button.clicked.connect(lambda: self.open_countersign_dialog())
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.countersign_button)
        top.addWidget(self.verify_button)
        splitter = QSplitter()
        splitter.addWidget(self._build_form())
        self.preview = PdfPreview()
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _build_form(self) -> QWidget:
        self.assessment_box = QComboBox()
        self.assessment_box.setAccessibleName("Assessment")
        self.assessment_box.currentIndexChanged.connect(self._on_assessment_changed)
        self.format_buttons = QButtonGroup(self)
        formats = QVBoxLayout()
        self.format_radios: dict[str, QRadioButton] = {}
        for key, label, tip in _FORMATS:
            radio = QRadioButton(label)
            radio.setToolTip(tip)
            radio.setAccessibleName(f"Format {label}")
            self.format_buttons.addButton(radio)
            self.format_radios[key] = radio
            formats.addWidget(radio)
        self.format_radios[PDF].setChecked(True)
        self.format_buttons.buttonToggled.connect(lambda *_: self._update_controls())
        self.profile_box = QComboBox()
        self.profile_box.setAccessibleName("Audience profile")
        for label, key in _PROFILES:
            self.profile_box.addItem(label, key)
        self.appendix_choice = AppendixChoice()
        self.appendix_choice.setToolTip("Per-question detail printed after the report's body")
        self.profile_box.currentIndexChanged.connect(
            lambda *_: self.appendix_choice.use_profile(self.current_profile())
        )
        self.sign_check = QCheckBox("Sign the PDF as the assessor")
        self.sign_check.setToolTip(SIGN_TIP)
        self.sign_check.toggled.connect(self._update_controls)
        self.credential = CredentialPicker()
        self.certificate_edit = self.credential.p12_edit
        self.browse_button = self.credential.browse_button
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Signing reason")
        self.reason_edit.setPlaceholderText("Optional, e.g. Final report")
        form = QFormLayout()
        form.addRow("Assessment", self.assessment_box)
        form.addRow("Format", formats)
        form.addRow("Audience", self.profile_box)
        form.addRow("Appendices", self.appendix_choice)
        form.addRow("", self.sign_check)
        form.addRow(self.credential)
        form.addRow("Reason", self.reason_edit)
        self.gate_label = QLabel()
        self.gate_label.setWordWrap(True)
        self.gate_label.setAccessibleName("Quality gate")
        self.generate_button = QPushButton("Generate…")
        self.generate_button.setObjectName("primary")
        self.generate_button.setShortcut(QKeySequence("Ctrl+G"))
        self.generate_button.setToolTip("Choose where to save, then write the report (Ctrl+G)")
        self.generate_button.clicked.connect(self.generate)
        self.import_button = QPushButton("Import responses…")
        self.import_button.setToolTip(
            "Read back a responses sheet the client filled in: see the changes, then apply them"
        )
        self.import_button.clicked.connect(self._on_import_clicked)
        self.oscal_button = QPushButton("Export OSCAL…")
        self.oscal_button.setToolTip(
            "Write the assessment plan, results and POA&M as NIST OSCAL JSON, with the "
            "framework content and evidence files, into a folder"
        )
        self.oscal_button.clicked.connect(self._on_oscal_clicked)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAccessibleName("Last report")
        group = QGroupBox("Report")
        box = QVBoxLayout(group)
        box.addLayout(form)
        box.addWidget(self.gate_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.oscal_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(self.result_label)
        box.addStretch(1)
        return group

    # State ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the assessments, keeping the chosen one."""
        current = self.current_assessment_id()
        infos = list_assessments(self._context.workspace)
        self._infos = {info.id: info for info in infos}
        self.assessment_box.blockSignals(True)
        self.assessment_box.clear()
        for info in infos:
            self.assessment_box.addItem(assessment_label(info), info.id)
        index = self.assessment_box.findData(current) if current is not None else -1
        self.assessment_box.setCurrentIndex(index if index >= 0 else len(infos) - 1)
        self.assessment_box.blockSignals(False)
        self._on_assessment_changed()

    def current_assessment_id(self) -> int | None:
        data = self.assessment_box.currentData()
        return int(data) if data is not None else None

    def current_format(self) -> str:
        return next(key for key, radio in self.format_radios.items() if radio.isChecked())

    def current_profile(self) -> str:
        return str(self.profile_box.currentData())

    def _on_workspace_changed(self) -> None:
        self.last_outcome = None
        self.result_label.clear()
        self.preview.clear()
        self.refresh()

    def _on_assessment_changed(self, _index: int = 0) -> None:
        self._update_controls()
        self._check_gate()

    def _start_running(self, work: str) -> None:
        self._running.add(work)
        self._update_controls()

    def _stop_running(self, work: str) -> None:
        self._running.discard(work)
        self._update_controls()

    def _update_controls(self) -> None:
        kind = self.current_format()
        has_assessment = self.current_assessment_id() is not None
        self.assessment_box.setEnabled(kind not in _PORTFOLIOS and has_assessment)
        self.sign_check.setEnabled(kind == PDF)
        if not gate(self.sign_check, self._context.workspace.team_role, "sign", SIGN_TIP):
            self.sign_check.setChecked(False)
        self.appendix_choice.setEnabled(kind == PDF)
        signing = kind == PDF and self.sign_check.isChecked()
        for widget in (self.credential, self.reason_edit):
            widget.setEnabled(signing)
        self.generate_button.setEnabled(
            "generate" not in self._running and (kind in _PORTFOLIOS or has_assessment)
        )
        self.import_button.setEnabled(has_assessment)
        self.oscal_button.setEnabled(has_assessment and "oscal" not in self._running)
        if not has_assessment and kind not in _PORTFOLIOS:
            self.gate_label.setText("No assessment yet: start one on the Assessments page.")

    def _check_gate(self) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        self._gate_generation += 1
        generation = self._gate_generation
        self.gate_label.setText("Checking the quality gate…")
        tasks.run_task(
            run_quality_gate,
            self._context.workspace,
            assessment_id,
            on_success=lambda gate: self._show_gate(generation, gate),
            on_failure=lambda exc: self.gate_label.setText(f"Quality gate not checked: {exc}"),
            with_progress=False,
        )

    def _show_gate(self, generation: int, gate: QualityReport) -> None:
        if generation != self._gate_generation:
            return
        if gate.errors:
            first = gate.errors[0].message
            self.gate_label.setText(
                f"Quality gate: {plural(len(gate.errors), 'error')} "
                f"{'blocks' if len(gate.errors) == 1 else 'block'} signing — first: {first}"
            )
        else:
            self.gate_label.setText(
                f"Quality gate passed ({plural(len(gate.warnings), 'warning')}); "
                "the report can be signed."
            )

    # Generating ----------------------------------------------------------------------------
    def _ask_output(self, kind: str) -> Path | None:
        info = self._infos.get(self.current_assessment_id() or -1)
        suggested = default_file_name(kind, info, self.current_profile())
        path = file_dialogs.get_save_file_name(
            self, "Save the report as", suggested, _FILTERS[kind]
        )
        if not path:
            return None
        target = Path(path)
        wanted = ".xlsx" if kind in _XLSX_KINDS else ".pdf"
        return target if target.suffix.lower() == wanted else target.with_name(target.name + wanted)

    def _signing_request(self) -> SigningRequest | None:
        """Ask for the password or PIN; None when the user cancels."""
        missing = self.credential.check()
        if missing:
            show_error(self, "Cannot sign", ValueError(missing))
            return None
        return self.credential.request(reason=self.reason_edit.text().strip())

    def generate(self) -> None:
        """Ask where to save (and for the password when signing), then write in a worker."""
        kind, profile = self.current_format(), self.current_profile()
        output = self._ask_output(kind)
        if output is None:
            return
        workspace = self._context.workspace
        if kind in _PORTFOLIOS:
            job = partial(generate_portfolio, workspace, output, profile=profile)
        elif kind == XLSX:
            job = partial(
                generate_workbook, workspace, self.current_assessment_id(), output, profile=profile
            )
        else:
            signing = self._signing_request() if self.sign_check.isChecked() else None
            if self.sign_check.isChecked() and signing is None:
                return
            job = partial(
                self._prepared.take().run,
                generate_pdf,
                workspace,
                self.current_assessment_id(),
                output,
                profile=profile,
                signing=signing,
                appendices=self.appendix_choice.chosen(),
            )
            del signing  # the password lives only in the job until it has run
        self._start_running("generate")
        self.result_label.setText(f"Writing {output.name}…")
        run_with_progress(
            self,
            "Writing the report",
            job,
            on_success=self._on_written,
            on_failure=self._on_failed,
            on_cancelled=self._on_cancelled,
            on_finished=self._generated,
            writes=True,
            # A render's garbage collections must not pause the window: it runs in a child
            # (a PDF in the report process prepared for it).
            in_child=kind != PDF,
        )

    def _generated(self) -> None:
        self._stop_running("generate")
        if self.isVisible():
            self._prepared.prepare()

    def _on_cancelled(self) -> None:
        self.result_label.setText("Cancelled: no report was written.")

    def _on_written(self, outcome: ReportOutcome) -> None:
        self.last_outcome = outcome
        text = f"Wrote {outcome.path}"
        if outcome.pages:
            text += f" ({outcome.pages} pages)"
        if outcome.signed_by:
            text += f", signed by {outcome.signed_by} (PAdES {outcome.signature_level})"
            if self.credential.kind() == "p12":
                self._remember_certificate()
        if outcome.warnings:
            text += "\n" + "\n".join(f"• {w}" for w in outcome.warnings[:5])
        self.result_label.setText(text)
        if outcome.path.suffix.lower() == ".pdf":
            self.preview.show_pdf(outcome.path)
        self._context.status_message.emit(f"Report written: {outcome.path.name}")
        self.report_written.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self.result_label.setText(f"The report was not written: {exc}")
        show_error(self, "Cannot write the report", exc)

    def _remember_certificate(self) -> None:
        prefs = load_preferences()
        path = self.certificate_edit.text().strip()
        if prefs.default_certificate != path:
            save_preferences(prefs.model_copy(update={"default_certificate": path}))

    # OSCAL ---------------------------------------------------------------------------------
    def _on_oscal_clicked(self) -> None:
        folder = file_dialogs.get_existing_directory(self, "Folder for the OSCAL documents")
        if folder:
            self.export_oscal_to(Path(folder))

    def export_oscal_to(self, folder: Path) -> None:
        """Write the chosen assessment's OSCAL documents into ``folder`` in a worker."""
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        self._start_running("oscal")
        self.result_label.setText(f"Writing the OSCAL documents to {folder}…")
        run_with_progress(
            self,
            "Writing the OSCAL documents",
            export_oscal,
            self._context.workspace,
            assessment_id,
            folder,
            on_success=self._on_oscal_written,
            on_failure=self._on_failed,
            on_cancelled=lambda: self.result_label.setText("Cancelled: nothing was written."),
            on_finished=lambda: self._stop_running("oscal"),
            writes=True,
        )

    def _on_oscal_written(self, outcome: OscalExport) -> None:
        names = ", ".join(outcome.documents)
        removed = (
            f" Removed {plural(len(outcome.removed), 'file')} of an earlier export there."
            if outcome.removed
            else ""
        )
        self.result_label.setText(
            f"Wrote {plural(len(outcome.documents), 'OSCAL document')} and "
            f"{plural(outcome.evidence_files, 'evidence file')} to {outcome.folder}: "
            f"{names}.{removed}"
        )
        self._context.status_message.emit(f"OSCAL export written to {outcome.folder}")

    # Verify and import ---------------------------------------------------------------------
    def open_countersign_dialog(self, pdf: Path | None = None) -> CountersignDialog:
        if pdf is None and self.last_outcome is not None and self.last_outcome.signed_by:
            pdf = self.last_outcome.path
        dialog = CountersignDialog(self, pdf, self._context.workspace)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_verify_dialog(self, pdf: Path | None = None) -> VerifyDialog:
        if pdf is None and self.last_outcome is not None and self.last_outcome.signed_by:
            pdf = self.last_outcome.path
        dialog = VerifyDialog(self, pdf)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _on_import_clicked(self) -> None:
        assessment_id = self.current_assessment_id()
        if assessment_id is None:
            return
        path = file_dialogs.get_open_file_name(
            self, "Responses workbook", "", "Excel workbooks (*.xlsx)"
        )
        if not path:
            return
        run_with_progress(
            self,
            "Reading the responses",
            import_responses,
            self._context.workspace,
            assessment_id,
            Path(path),
            dry_run=True,
            on_success=self._confirm_import,
        )

    def _confirm_import(self, plan: ResponsesImport) -> None:
        lines = [
            f"Row {c.row} {c.ref} {c.field}: {c.before_text} → {c.after_text}" for c in plan.changes
        ]
        if plan.problems:
            box = QMessageBox(QMessageBox.Icon.Warning, "Responses not imported",
                              f"{plural(len(plan.problems), 'problem')} in {plan.file.name}; "
                              "nothing was changed. Fix the rows and import again.",
                              parent=self)  # fmt: skip
            box.setDetailedText("\n".join(plan.problems))
            box.exec()
            return
        if not plan.changes:
            QMessageBox.information(self, "Responses", f"{plan.file.name} changes nothing.")
            return
        answer = QMessageBox.question(
            self,
            "Apply the responses?",
            f"{plural(len(plan.changes), 'change')} from {plan.file.name}:\n\n"
            + "\n".join(lines[:15])
            + ("\n…" if len(lines) > 15 else ""),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        run_with_progress(
            self,
            "Applying the responses",
            import_responses,
            self._context.workspace,
            plan.assessment_id,
            plan.file,
            on_success=self._on_imported,
            writes=True,
        )

    def _on_imported(self, result: ResponsesImport) -> None:
        self.result_label.setText(
            f"Imported {plural(len(result.changes), 'change')} from {result.file.name}; "
            "each is journalled."
        )
        self._context.status_message.emit(f"Responses imported from {result.file.name}")

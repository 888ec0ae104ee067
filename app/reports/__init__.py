"""Rendering only, from plain view-models: HTML, PDF, Excel, charts, signatures.

Public API (heavy libraries load only when a function runs):

- :mod:`app.reports.viewmodels`: ``ReportData``, ``PortfolioData`` and their parts;
  :func:`app.reports.loading.report_data_from_dict` / ``portfolio_data_from_dict`` / ``to_plain``.
- :func:`app.reports.masking.mask_secret` for client-profile view-models.
- :func:`app.reports.html.render_html`, :func:`app.reports.pdf.render_pdf`,
  :func:`app.reports.pdf.render_portfolio_pdf`.
- :func:`app.reports.xlsx.write_workbook`, :func:`app.reports.xlsx_import.read_responses_workbook`.
- :func:`app.reports.manifest.attachments_for`, :func:`app.reports.signing.sign_pdf`,
  :func:`app.reports.signing.create_self_signed_p12`, :func:`app.reports.verify.verify_pdf`.
- :mod:`app.reports.charts` for the SVG charts.

Long functions take ``progress`` (see :mod:`app.reports.progress`) and raise
:class:`app.reports.errors.ReportCancelled` when asked to stop.
"""

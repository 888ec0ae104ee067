"""Reports of the workspace: view-models, PDF and Excel files, signatures, responses round trip.

The package reads the workspace through the other services into the plain view-models of
``app.reports.viewmodels`` and hands them to the renderers of ``app.reports``:

- :mod:`.build` — the :class:`~app.reports.viewmodels.ReportData` of one assessment;
- :mod:`.portfolio` — the :class:`~app.reports.viewmodels.PortfolioData` of every system;
- :mod:`.generate` — PDF (optionally signed), workbook and portfolio files, journalled;
- :mod:`.signing` — the quality gate before signing, countersigning, extending to B-LTA;
- :mod:`.verification` — every signature of a PDF with its verdict;
- :mod:`.certificates` — trial assessor certificates;
- :mod:`.responses` — a filled-in responses sheet read back, dry run and apply;
- :mod:`.preview` — page images of a PDF for the window.

Renderers (WeasyPrint, openpyxl, pyHanko) are imported only when a file is written.
"""

from __future__ import annotations

import logging

from app.reports.viewmodels import APPENDICES, DEFAULT_APPENDICES, PROFILES
from app.services.reporting.build import ReportBundle, build_report, check_profile
from app.services.reporting.certificates import CertificateInfo, create_certificate
from app.services.reporting.generate import (
    ReportOutcome,
    generate_pdf,
    generate_portfolio,
    generate_workbook,
)
from app.services.reporting.portfolio import build_portfolio
from app.services.reporting.preview import PagePreview, rasteriser_available, render_page_images
from app.services.reporting.responses import (
    ResponseChange,
    ResponsesImport,
    import_responses,
    plan_responses,
)
from app.services.reporting.signing import (
    SigningRequest,
    SignOutcome,
    check_can_sign,
    countersign_report,
    extend_report,
    list_token_keys,
)
from app.services.reporting.verification import SignatureRow, VerifyOutcome, verify_report

logger = logging.getLogger(__name__)

__all__ = [
    "APPENDICES",
    "DEFAULT_APPENDICES",
    "PROFILES",
    "CertificateInfo",
    "PagePreview",
    "ReportBundle",
    "ReportOutcome",
    "ResponseChange",
    "ResponsesImport",
    "SignOutcome",
    "SignatureRow",
    "SigningRequest",
    "VerifyOutcome",
    "build_portfolio",
    "build_report",
    "check_can_sign",
    "check_profile",
    "countersign_report",
    "create_certificate",
    "extend_report",
    "generate_pdf",
    "generate_portfolio",
    "generate_workbook",
    "import_responses",
    "list_token_keys",
    "plan_responses",
    "rasteriser_available",
    "render_page_images",
    "verify_report",
]

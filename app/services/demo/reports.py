"""The demo's report files: internal and signed client PDF, workbook, portfolio PDF and workbook."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.services.demo.builder import DEMO_ACTOR, DemoResult
from app.services.progress import Progress, scaled
from app.services.reporting import (
    SigningRequest,
    create_certificate,
    generate_pdf,
    generate_portfolio,
    generate_workbook,
)
from app.services.workspace import open_workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoReports:
    """The files written next to the demo workspace."""

    pdf: Path
    signed_pdf: Path
    workbook: Path
    portfolio: Path
    portfolio_workbook: Path
    certificate: Path


def write_demo_reports(
    result: DemoResult, out_dir: Path, progress: Progress | None = None
) -> DemoReports:
    """Write the demo's reports into ``out_dir`` and return their paths.

    The signing certificate is a throw-away trial certificate: its password is random and
    kept nowhere, so only its public part (``.pem``, for ``assay verify --trust``) is useful.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files = DemoReports(
        pdf=out_dir / "northwind-claims-agent-report.pdf",
        signed_pdf=out_dir / "northwind-claims-agent-report-signed.pdf",
        workbook=out_dir / "northwind-claims-agent.xlsx",
        portfolio=out_dir / "northwind-portfolio.pdf",
        portfolio_workbook=out_dir / "northwind-portfolio.xlsx",
        certificate=out_dir / "demo-assessor.p12",
    )
    for path in (*vars(files).values(), files.certificate.with_suffix(".pem")):
        Path(path).unlink(missing_ok=True)
    password = secrets.token_urlsafe(24).encode("ascii")
    create_certificate(
        files.certificate,
        name=DEMO_ACTOR,
        organisation="Assay demo consultancy",
        email="assessor@demo.example",
        password=password,
    )
    assessment = result.final_assessment_id or result.assessment_ids[0]
    workspace = open_workspace(result.workspace_path, create=False, actor=DEMO_ACTOR)
    try:
        generate_pdf(workspace, assessment, files.pdf, progress=scaled(progress, 0.0, 0.3))
        generate_pdf(
            workspace,
            assessment,
            files.signed_pdf,
            profile="client",
            signing=SigningRequest(files.certificate, password, "Assessment report", "Demo"),
            progress=scaled(progress, 0.3, 0.65),
        )
        generate_workbook(
            workspace, assessment, files.workbook, progress=scaled(progress, 0.65, 0.75)
        )
        generate_portfolio(workspace, files.portfolio, progress=scaled(progress, 0.75, 0.95))
        generate_portfolio(
            workspace, files.portfolio_workbook, progress=scaled(progress, 0.95, 1.0)
        )
    finally:
        workspace.close()
    logger.info("demo reports written to %s", out_dir)
    return files

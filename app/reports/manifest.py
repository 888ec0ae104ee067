"""The JSON files attached to a signed report: the evidence manifest and the results.

Both are built from the view-model, byte for byte the same for the same data (sorted keys, no
timestamps of their own), so the SHA-256 of the evidence manifest printed on the signature page
is the SHA-256 of the file attached to the PDF. The results file leaves out internal notes in
the client profile, as the PDF does.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from app.reports.loading import to_plain
from app.reports.viewmodels import ReportData

logger = logging.getLogger(__name__)

EVIDENCE_MANIFEST_NAME = "evidence-manifest.json"
RESULTS_NAME = "results.json"
FORMAT_VERSION = 1


def _dump(value: Any) -> bytes:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def evidence_manifest(data: ReportData) -> bytes:
    """Return the evidence manifest: every evidence file with its SHA-256, as JSON bytes."""
    return _dump(
        {
            "format": "assay-evidence-manifest",
            "format_version": FORMAT_VERSION,
            "assessment": data.document.assessment_ref,
            "system": data.system.system_id,
            "evidence": [to_plain(item) for item in data.evidence],
        }
    )


def evidence_manifest_sha256(data: ReportData) -> str:
    """Return the SHA-256 (hex) of :func:`evidence_manifest`."""
    return hashlib.sha256(evidence_manifest(data)).hexdigest()


def results_json(data: ReportData) -> bytes:
    """Return the assessment's results (document control, scores, answers, findings) as JSON."""
    answers = [to_plain(a) for a in data.answers]
    if data.is_client:
        for answer in answers:
            answer.pop("notes", None)
    return _dump(
        {
            "format": "assay-results",
            "format_version": FORMAT_VERSION,
            "profile": data.profile,
            "document": to_plain(data.document),
            "system": to_plain(data.system),
            "identity": {
                "blast_score": data.identity.blast_score,
                "blast_tier": data.identity.blast_tier or None,
                "blast_unknown": data.identity.blast_unknown or None,
                "formula": data.identity.formula,
            },
            "method": data.method_text,
            "frameworks": to_plain(data.frameworks),
            "answers": answers,
            "findings": to_plain(data.findings),
            "actions": to_plain(data.actions),
            "evidence_manifest_sha256": evidence_manifest_sha256(data),
        }
    )


def attachments_for(data: ReportData) -> dict[str, bytes]:
    """Return the files to attach when signing: evidence manifest and results, by file name."""
    return {EVIDENCE_MANIFEST_NAME: evidence_manifest(data), RESULTS_NAME: results_json(data)}

"""OSCAL exports: assessment plan, assessment results, POA&M, and framework content.

See docs/oscal.md for what each document holds; :func:`export_oscal` writes them all.
"""

from app.services.oscal.export import OscalExport, build_documents, export_content, export_oscal

__all__ = ["OscalExport", "build_documents", "export_content", "export_oscal"]

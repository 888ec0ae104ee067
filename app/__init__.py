"""Assay: an offline workbench for assessing AI systems as governed identities."""

__version__ = "0.1.0"
APP_NAME = "Assay"
APP_AUTHOR = "Assay"

"""Questionnaire files: schema, loader with every error at once, immutable catalog, crosswalk."""

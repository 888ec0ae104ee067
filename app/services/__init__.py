"""Use cases orchestrating storage, catalog, ingest, domain and reports."""

"""Spreadsheet and CSV readers, header matching and row validation into plain records.

Pure: no storage, no rendering. The stages, each its own module:

- ``readers`` / ``xlsx``: a file → ``RawSheet`` s (python-calamine for .xlsx/.xlsm after zip
  safety checks; CSV with encoding and separator detection);
- ``headers`` + ``fields``: find the header row, recognise the sheet's entity, map columns
  onto canonical fields (aliases, qualified headers, the user's mapping);
- ``values``: normalise cells (vocabularies, dates, e-mails, id lists, yes/no);
- ``rows`` + ``merge``: rows → ``SystemRecord`` ... ``DelegationRecord`` and ``Problem`` s,
  with duplicates reported;
- ``aws``: the AWS IAM credential report;
- ``references`` + ``diff``: checks against the workspace's ids and the comparison with its
  records (the workspace side comes in as plain values).

``pipeline.parse_inventory`` runs the reading stages; ``app.services.inventory_import`` runs
the rest against a workspace.
"""

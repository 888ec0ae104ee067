"""Identity-platform exports (AWS, Azure/Entra ID, Google Cloud, Kubernetes), read offline.

Files only, no cloud call: each export turns into identities, resources, grants and delegations
for the same import pipeline as a spreadsheet (dry run, all-or-nothing, drift). The modules:

- ``documents``: bounded JSON/YAML loading; ``detect``: which export a document is;
- ``collector``: element-by-element records and problems (file + JSON path + reason);
- ``aws_policy`` / ``aws_managed`` / ``aws_iam`` / ``aws_trust``: AWS's
  ``get-account-authorization-details``;
- ``azure``: role assignments, service principals, app registrations, deny assignments;
- ``gcp``: IAM policies, service accounts, keys, deny policies;
- ``kubernetes``: RBAC objects; ``roles``: built-in role names → strengths;
- ``reader``: one file or a folder of them; ``linking``: naming identities as a register does.
"""

"""Several assessors on one engagement: hand-out packages, hand-back packages and the merge.

See docs/packages.md for the package format and why it is an application-level change set.
"""

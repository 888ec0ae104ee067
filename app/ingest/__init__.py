"""Spreadsheet and CSV readers, header matching and row validation into plain records."""

"""Rendering only, from plain view-models: HTML, PDF, Excel, charts, signatures."""

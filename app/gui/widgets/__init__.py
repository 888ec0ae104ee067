"""Reusable widgets with their own logic."""

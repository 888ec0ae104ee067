"""Leaf utilities shared by every layer: paths, preferences, logging."""

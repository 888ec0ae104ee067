"""Benchmarks print figures; they never assert wall-clock times."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

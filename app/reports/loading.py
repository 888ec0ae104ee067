"""Build view-models from plain mappings (YAML, JSON) and turn them back into plain data.

:func:`report_data_from_dict` checks every field against the view-model's type hints and names
the exact path of anything wrong (``frameworks[1].nodes[3].mean: expected a number``), so the
dummy report file — and any data a service builds as a dict — is validated, not trusted.
:func:`to_plain` is the inverse, used for the JSON results attached to a signed PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import types
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from app.reports.errors import ReportDataError
from app.reports.viewmodels import PortfolioData, ReportData

logger = logging.getLogger(__name__)

T = TypeVar("T")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(value: Any, hint: Any, where: str) -> Any:  # noqa: C901 - one branch per type
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        inner = [o for o in options if o is not type(None)]
        return _convert(value, inner[0], where)
    if origin is tuple:
        if value is None:
            return ()
        if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
            raise ReportDataError(f"{where}: expected a list")
        item = typing.get_args(hint)[0]
        return tuple(_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if value is None:
        raise ReportDataError(f"{where}: a value is required")
    return _scalar(value, hint, where)


def _scalar(value: Any, hint: Any, where: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise ReportDataError(f"{where}: expected true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ReportDataError(f"{where}: expected a whole number")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ReportDataError(f"{where}: expected a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ReportDataError(f"{where}: expected text")
        return value
    if hint is dt.datetime:
        return _datetime(value, where)
    if hint is dt.date:
        return _date(value, where)
    raise ReportDataError(f"{where}: unsupported type {hint!r}")  # pragma: no cover


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ReportDataError(f"{where}: expected a date written YYYY-MM-DD")


def _datetime(value: Any, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ReportDataError(f"{where}: expected a date and time in ISO format")


def _build(cls: type[T], data: Any, where: str) -> T:
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ReportDataError(f"{where or cls.__name__}: expected a mapping")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ReportDataError(f"{where or cls.__name__}: unknown field {unknown[0]!r}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        path = f"{where}.{name}" if where else name
        if name not in data:
            no_default = field.default is dataclasses.MISSING
            if no_default and field.default_factory is dataclasses.MISSING:
                raise ReportDataError(f"{path}: missing")
            continue
        values[name] = _convert(data[name], hints[name], path)
    try:
        return cls(**values)
    except ValueError as exc:
        raise ReportDataError(f"{where or cls.__name__}: {exc}") from exc


def report_data_from_dict(data: Mapping[str, Any]) -> ReportData:
    """Build a :class:`ReportData` from a plain mapping, checking every field.

    Args:
        data: Nested mappings and lists with the view-model's field names; dates may be
            ``datetime.date`` objects or ISO text.

    Returns:
        The view-model.

    Raises:
        ReportDataError: A field is missing, unknown or of the wrong type (names its path).
    """
    return _build(ReportData, data, "")


def portfolio_data_from_dict(data: Mapping[str, Any]) -> PortfolioData:
    """Build a :class:`PortfolioData` from a plain mapping, checking every field.

    Raises:
        ReportDataError: A field is missing, unknown or of the wrong type (names its path).
    """
    return _build(PortfolioData, data, "")


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML file of report data (``report:`` and optionally ``portfolio:``).

    Raises:
        ReportDataError: The file cannot be read or is not a mapping.
    """
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportDataError(f"{path.name}: cannot read report data ({exc})") from exc
    if not isinstance(data, dict):
        raise ReportDataError(f"{path.name}: expected a mapping at the top")
    return data


def to_plain(value: Any) -> Any:
    """Return a view-model (or any part) as JSON-ready data: dicts, lists, ISO dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

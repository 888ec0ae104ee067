"""The quicker ``__init__`` of frozen dataclasses keeps everything a frozen dataclass gives."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.enums import Action
from app.domain.inventory_facts import GrantFacts
from app.support.frozen import quick_init


@quick_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Point:
    x: int
    y: int = 0
    label: str = "origin"


def test_fields_defaults_equality_and_hash_are_the_dataclass_ones() -> None:
    point = _Point(1)
    assert (point.x, point.y, point.label) == (1, 0, "origin")
    assert point == _Point(1, 0, "origin") == _Point(x=1, label="origin")
    assert hash(point) == hash(_Point(1))
    assert repr(point) == "_Point(x=1, y=0, label='origin')"
    assert dataclasses.replace(point, y=5) == _Point(1, 5)


def test_the_instance_stays_read_only() -> None:
    point = _Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    assert point.x == 1


def test_missing_and_unknown_arguments_are_refused_as_before() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        _Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        _Point(1, z=2)  # type: ignore[call-arg]


def test_inventory_facts_use_it() -> None:
    grant = GrantFacts("svc-1", "res-1", Action.WRITE, scope="db:*")
    assert grant.approval_required is None
    assert grant.last_used is None
    assert grant == GrantFacts("svc-1", "res-1", Action.WRITE, "db:*")
    assert GrantFacts.__init__.__code__.co_filename == "<string>"  # the quick one, not dataclass's


def test_classes_it_cannot_speed_up_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="not a frozen dataclass with slots"):
        quick_init(NoSlots)
    with pytest.raises(TypeError, match="only plain fields"):
        quick_init(WithFactory)


def test_fields_left_out_of_init_and_init_only_variables_are_refused() -> None:
    # Either would change the constructor's signature silently if the class were taken.
    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        x: int
        doubled: int = dataclasses.field(init=False, default=0)

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithInitVar:
        x: int
        scale: dataclasses.InitVar[int] = 1

    with pytest.raises(TypeError, match="only plain fields"):
        quick_init(Derived)
    with pytest.raises(TypeError, match="init-only"):
        quick_init(WithInitVar)

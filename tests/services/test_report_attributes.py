"""Custom attributes of the assessed system and its identities reach the report's view-model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.reporting import build_report
from app.services.workspace import open_workspace
from app.storage.models import AISystem, Identity

_SETUP = Path(__file__).with_name("test_reporting_setup.py")


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture
def ws(tmp_path):
    built = setup.build_report_workspace(tmp_path / "built")
    workspace = open_workspace(built.path, actor="tester")
    yield workspace, built
    workspace.close()


def test_system_and_identity_attributes_are_in_the_report_data(ws):
    workspace, built = ws
    with workspace.db.write() as session:
        system = session.execute(
            sa.select(AISystem).where(AISystem.external_id == "AIS-001")
        ).scalar_one()
        system.attributes = {"Cost centre": "CC-17", "Regions": ["eu-west-1", "eu-central-1"]}
        identity = session.execute(sa.select(Identity).where(Identity.external_id == setup.ARN))
        identity.scalar_one().attributes = {"Vault path": "kv/agents", "Rotation owner": None}
    data = build_report(workspace, built.assessment_id).data
    assert data.system.attributes == (
        ("Cost centre", "CC-17"),
        ("Regions", "eu-west-1, eu-central-1"),
    )
    views = {v.identity_id: v for v in data.identity.identities}
    assert views[setup.ARN].attributes == (("Rotation owner", ""), ("Vault path", "kv/agents"))
    assert all(v.attributes == () for k, v in views.items() if k != setup.ARN)

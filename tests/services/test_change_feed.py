"""The journal read as a feed of changes: what another program wrote after a known point."""

from __future__ import annotations

from app.services import change_feed
from app.services.change_feed import changes_since, journal_head
from app.services.engagement import update_engagement
from app.services.workspace import open_workspace


def test_changes_after_a_point_are_the_journal_entries_written_since(tmp_path, monkeypatch):
    workspace = open_workspace(tmp_path / "feed.assay", actor="tester")
    try:
        start = journal_head(workspace)
        assert changes_since(workspace, start).changes == ()
        update_engagement(workspace, client="Acme Insurance")
        update_engagement(workspace, reviewer="R. Quinn")

        feed = changes_since(workspace, start)
        assert feed.head == start + 2 == journal_head(workspace)
        assert feed.complete
        assert [(seq, c.action, c.entity, c.entity_id) for seq, c in feed.changes] == [
            (start + 1, "engagement.update", "engagement", "1"),
            (start + 2, "engagement.update", "engagement", "1"),
        ]
        monkeypatch.setattr(change_feed, "FEED_LIMIT", 1)
        partial = changes_since(workspace, start)
        assert not partial.complete, "past the limit the reader reloads everything"
        assert len(partial.changes) == 1
    finally:
        workspace.close()

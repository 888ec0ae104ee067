"""The Frameworks page lists the sets, browses their trees and shows a question in full."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeWidgetItemIterator

from app.gui.pages.frameworks_page import QUESTION_ROLE


def _question_items(page):
    iterator = QTreeWidgetItemIterator(page.tree)
    while (item := iterator.value()) is not None:
        if item.data(0, QUESTION_ROLE):
            yield item
        iterator += 1


def test_lists_every_shipped_framework_with_counts(make_main_window):
    window = make_main_window()
    window.show_page("frameworks")
    page = window.page("frameworks")
    rows = {row.framework_id: row for row in page.table.model.rows}
    assert {"nist-ai-rmf", "owasp-asi", "owasp-nhi"} <= set(rows)
    assert rows["nist-ai-rmf"].questions == 72
    assert page.table.count_label.text().endswith("frameworks")


def test_selecting_a_question_shows_prompt_guidance_and_crosswalk(make_main_window):
    window = make_main_window()
    page = window.page("frameworks")
    asi_row = next(
        r
        for r in range(page.table.proxy.rowCount())
        if page.table.model.row_at(r).framework_id == "owasp-asi"
    )
    page.table.view.selectRow(asi_row)
    items = list(_question_items(page))
    assert len(items) >= 30
    page.tree.setCurrentItem(items[0])
    text = page.detail.toPlainText()
    catalog = window.context.catalog()
    question = catalog.question(items[0].data(0, QUESTION_ROLE))
    assert question.prompt in text
    assert "Evidence to request" in text
    assert "Crosswalk" in text


def test_crosswalk_link_jumps_to_the_linked_question(make_main_window):
    window = make_main_window()
    page = window.page("frameworks")
    catalog = window.context.catalog()
    source = catalog.framework("owasp-nhi").questions[0]
    related = catalog.related_questions(source.id)[0]
    page.show_question(source.id)
    page.show_question(related.question_id)
    current = page.tree.currentItem()
    assert current.data(0, QUESTION_ROLE) == related.question_id


def test_detail_escapes_markup():
    from app.catalog.registry import Catalog
    from app.catalog.schema import Framework
    from app.gui.pages.frameworks_page import question_html

    framework = Framework.model_validate(
        {
            "schema_version": 1,
            "id": "x",
            "version": "1",
            "title": "<b>X</b>",
            "nodes": [{"id": "N", "kind": "section", "title": "N"}],
            "questions": [
                {
                    "id": "x.q",
                    "ref": "Q1",
                    "title": "<script>t</script>",
                    "node": "N",
                    "prompt": "<img src=http://e/x.png>",
                    "evidence": ["<i>e</i>"],
                }
            ],
        }
    )
    text = question_html(Catalog([framework]), framework.questions[0])
    assert "<script>" not in text
    assert "&lt;img src=http://e/x.png&gt;" in text

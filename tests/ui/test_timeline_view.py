"""The timeline widget with the mouse: dragging edges retimes (one undo step), clicks seek."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoStack

from editor.document import Document
from editor.transcript import MediaInfo, Segment, Transcript, Word
from ui.timeline.geometry import Viewport
from ui.timeline.view import TimelineView

LEFT = Qt.MouseButton.LeftButton


def transcript() -> Transcript:
    first = Segment(
        (Word("one", 1000, 1400), Word(" two", 1400, 1900), Word(" three", 2000, 2500)), "A"
    )
    second = Segment((Word("four", 3000, 3500), Word(" five", 3500, 4200)), "B")
    return Transcript((first, second), "en", MediaInfo("talk.wav", 10_000))


@pytest.fixture
def timeline(qtbot):
    document = Document(transcript())
    stack = QUndoStack()
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1000, view.height())
    view.set_document(document, stack)
    view.set_duration(10_000)
    view.show()
    qtbot.waitExposed(view)
    assert view.geometry_now == Viewport(100, 0, view.viewport().width(), 10_000)
    view.document, view.stack = document, stack  # for the tests
    return view


def drag(qtbot, view: TimelineView, y: int, from_x: int, to_x: int) -> None:
    port = view.viewport()
    qtbot.mousePress(port, LEFT, pos=QPoint(from_x, y))
    for x in range(from_x, to_x, 1 if to_x > from_x else -1):
        qtbot.mouseMove(port, QPoint(x, y))
    qtbot.mouseMove(port, QPoint(to_x, y))
    qtbot.mouseRelease(port, LEFT, pos=QPoint(to_x, y))


def word_y(view: TimelineView) -> int:
    band = view.lanes.words
    return band.top + band.height // 2


def segment_y(view: TimelineView) -> int:
    band = view.lanes.segments
    return band.top + band.height // 2


def test_dragging_a_word_edge_retimes_it_in_one_undo_step(qtbot, timeline) -> None:
    before = timeline.document.transcript
    drag(qtbot, timeline, word_y(timeline), 190, 196)  # "two" ends at 1.9 s, 10 ms a pixel
    words = timeline.document.transcript.segments[0].words
    assert words[1].end_ms == 1960
    assert words[2].start_ms == 2000  # its neighbour did not move
    assert timeline.stack.count() == 1
    assert timeline.stack.undoText() == "Move word end"
    timeline.stack.undo()
    assert timeline.document.transcript == before


def test_a_drag_stops_at_the_neighbour(qtbot, timeline) -> None:
    drag(qtbot, timeline, word_y(timeline), 190, 240)  # wished 2.4 s: "three" starts at 2.0
    assert timeline.document.transcript.segments[0].words[1].end_ms == 2000


def test_dragging_a_shared_boundary_moves_both_words(qtbot, timeline) -> None:
    before = timeline.document.transcript
    drag(qtbot, timeline, word_y(timeline), 140, 132)
    one, two = timeline.document.transcript.segments[0].words[:2]
    assert (one.end_ms, two.start_ms) == (1320, 1320)
    assert timeline.stack.count() == 1
    timeline.stack.undo()
    assert timeline.document.transcript == before
    timeline.stack.redo()
    assert timeline.document.transcript.segments[0].words[1].start_ms == 1320


def test_dragging_a_segment_edge_moves_the_segment(qtbot, timeline) -> None:
    before = timeline.document.transcript
    drag(qtbot, timeline, segment_y(timeline), 300, 280)  # the second segment starts earlier
    second = timeline.document.transcript.segments[1]
    assert second.start_ms == 2800
    assert timeline.stack.undoText() == "Move segment start"
    timeline.stack.undo()
    assert timeline.document.transcript == before


def test_a_drag_that_ends_where_it_began_changes_nothing(qtbot, timeline) -> None:
    drag(qtbot, timeline, word_y(timeline), 190, 195)
    timeline.stack.undo()
    drag(qtbot, timeline, word_y(timeline), 190, 200)
    drag(qtbot, timeline, word_y(timeline), 200, 190)  # back to 1.9 s: two steps, one each
    assert timeline.stack.count() == 2
    assert timeline.document.transcript.segments[0].words[1].end_ms == 1900


def test_a_click_seeks_and_a_drag_across_the_waveform_selects(qtbot, timeline) -> None:
    with qtbot.waitSignal(timeline.seek_requested) as seek:
        qtbot.mouseClick(timeline.viewport(), LEFT, pos=QPoint(270, segment_y(timeline)))
    assert seek.args == [2700]
    with qtbot.waitSignal(timeline.range_selected) as selected:
        drag(qtbot, timeline, segment_y(timeline), 110, 330)
    assert selected.args == [1100, 3300]
    assert timeline.selection == (1100, 3300)
    assert timeline.stack.count() == 0  # selecting edits nothing


def test_ctrl_wheel_zooms_around_the_pointer_and_the_wheel_scrolls(qtbot, timeline) -> None:
    port = timeline.viewport()
    before = timeline.geometry_now.ms_at(400)
    timeline.zoom(2.0, 400)
    after = timeline.geometry_now
    assert after.pixels_per_second == 200
    assert after.ms_at(400) == pytest.approx(before)
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    assert timeline.geometry_now.start_ms == 0
    qtbot.keyClick(timeline, Qt.Key.Key_Right)
    assert timeline.geometry_now.start_ms > 0
    qtbot.keyClick(timeline, Qt.Key.Key_0)  # fit the whole recording
    assert timeline.geometry_now.end_ms == pytest.approx(10_000)
    assert port.isVisible()


def test_playback_turns_the_page_unless_the_person_scrolled(qtbot, timeline) -> None:
    timeline.set_duration(60_000)
    width_ms = timeline.geometry_now.end_ms
    timeline.set_position(500)
    assert timeline.geometry_now.start_ms == 0
    timeline.set_position(round(width_ms) + 500)  # past the right edge: the next page
    assert timeline.geometry_now.contains(round(width_ms) + 500)
    qtbot.keyClick(timeline, Qt.Key.Key_Home)  # the person looks elsewhere
    timeline.set_position(round(width_ms) + 900)
    assert timeline.geometry_now.start_ms == 0  # left alone
    timeline.follow_playback()  # a word clicked in the transcript
    assert timeline.geometry_now.contains(round(width_ms) + 900)

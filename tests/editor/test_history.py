from __future__ import annotations

import pytest
from edit_helpers import segment, transcript

from editor.commands import DeleteSegments, ReplaceWordText, SplitSegment
from editor.document import Document
from editor.errors import EditRejected
from editor.history import History

BASE = transcript(segment("one two three"), segment("four five", start_ms=1000))


@pytest.fixture
def history() -> History:
    return History(Document(BASE))


def text(history: History) -> str:
    return history.document.transcript.text


def test_push_undo_redo_with_labels(history: History) -> None:
    assert not history.can_undo
    assert history.undo_label is None
    history.push(SplitSegment(0, 1))
    after = history.document.transcript
    assert history.undo_label == "Split segment"
    history.undo()
    assert history.document.transcript == BASE
    assert history.redo_label == "Split segment"
    history.redo()
    assert history.document.transcript == after
    assert not history.can_redo


def test_nothing_to_undo_or_redo_is_rejected(history: History) -> None:
    with pytest.raises(EditRejected):
        history.undo()
    with pytest.raises(EditRejected):
        history.redo()


def test_pushing_after_an_undo_drops_the_redo_steps(history: History) -> None:
    history.push(SplitSegment(0, 1))
    history.undo()
    history.push(DeleteSegments(1, 1))
    assert not history.can_redo
    assert history.count == 1
    history.undo()
    assert history.document.transcript == BASE


def test_typing_in_one_word_is_one_undo_step(history: History) -> None:
    for typed in ("t", "tw", "twin"):
        history.push(ReplaceWordText(0, 1, typed))
    assert text(history).startswith("one twin three")
    assert history.count == 1
    history.undo()
    assert history.document.transcript == BASE


def test_typing_in_another_word_is_another_step(history: History) -> None:
    history.push(ReplaceWordText(0, 1, "twin"))
    history.push(ReplaceWordText(0, 2, "tree"))
    assert history.count == 2


def test_no_merge_after_an_undo(history: History) -> None:
    history.push(ReplaceWordText(0, 0, "on"))
    history.push(ReplaceWordText(0, 1, "tw"))
    history.undo()
    history.push(ReplaceWordText(0, 0, "o"))
    assert history.count == 2
    history.undo()
    assert text(history).startswith("on two")


def test_typing_that_cancels_out_leaves_no_step() -> None:
    typed = transcript(segment("one two", probability=1.0))
    history = History(Document(typed))
    history.push(SplitSegment(0, 1))
    history.push(ReplaceWordText(1, 0, "twofold"))
    history.push(ReplaceWordText(1, 0, "two"))
    assert history.count == 1
    assert history.undo_label == "Split segment"


def test_retyping_a_recognised_word_marks_it_as_typed(history: History) -> None:
    history.push(ReplaceWordText(1, 0, "fourth"))
    history.push(ReplaceWordText(1, 0, "four"))
    # Same text, but a person vouched for it now: probability 1, so the step stays.
    assert history.document.transcript.segments[1].words[0].probability == 1.0
    assert history.count == 1
    history.undo()
    assert history.document.transcript == BASE


def test_a_no_op_is_not_recorded_and_keeps_redo(history: History) -> None:
    history.push(SplitSegment(0, 1))
    history.undo()
    history.push(ReplaceWordText(0, 0, "one"))
    assert history.can_redo
    assert history.count == 1


def test_a_rejected_command_is_not_recorded(history: History) -> None:
    with pytest.raises(EditRejected):
        history.push(SplitSegment(0, 0))
    assert history.count == 0
    assert history.document.transcript == BASE


def test_clean_follows_the_saved_position(history: History) -> None:
    assert history.clean
    history.push(SplitSegment(0, 1))
    assert not history.clean
    history.set_clean()
    history.push(DeleteSegments(0, 0))
    history.undo()
    assert history.clean
    history.undo()
    assert not history.clean


def test_typing_after_a_save_does_not_look_clean(history: History) -> None:
    history.push(ReplaceWordText(0, 1, "tw"))
    history.set_clean()
    history.push(ReplaceWordText(0, 1, "twin"))
    assert not history.clean
    history.undo()
    assert history.clean
    assert text(history).startswith("one tw ")


def test_the_saved_state_is_lost_when_its_redo_step_is_dropped(history: History) -> None:
    history.push(SplitSegment(0, 1))
    history.set_clean()
    history.undo()
    history.push(DeleteSegments(1, 1))
    history.undo()
    assert not history.clean
    history.redo()
    assert not history.clean


def test_clear_forgets_everything_and_is_clean(history: History) -> None:
    history.push(SplitSegment(0, 1))
    history.clear()
    assert (history.can_undo, history.can_redo, history.clean) == (False, False, True)
    assert history.document.transcript != BASE

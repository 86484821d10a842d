"""The waveform timeline (issue 15): the recording's waveform with the transcript laid on it.

`ui.timeline.view.TimelineView` draws the waveform (peaks from `ui.timeline.peak_loader`,
computed off the UI thread), the segments and words as regions in speaker colours and the
playhead; a click seeks, a dragged edge retimes a segment or a word through the `editor`
commands, a dragged range selects words. `ui.timeline.attach.TimelineArea` wires it into the
main window. The arithmetic (`geometry`, `items`, `edges`, `peaks`) has no Qt in it.
"""

"""Who said what: speaker turns for a recording, without PyTorch or ONNX Runtime (issue 12).

    from engine.speakers import SpeakerOptions, assign_speakers, identify_speakers

    turns = identify_speakers("meeting.m4a", SpeakerOptions(), cancel=event, on_progress=report)
    for piece in assign_speakers(segments, turns):   # segments from engine.Transcriber
        print(piece.speaker, piece.text)

Public API:

* ``identify_speakers(source, options=None, cancel=None, on_progress=None, *, embedder=None)
  -> tuple[SpeakerTurn, ...]``: ``source`` is a media path or 16 kHz mono samples; ``cancel`` a
  `threading.Event` (raises `engine.errors.Cancelled`); ``on_progress`` gets `SpeakerProgress`.
  Pass ``embedder=load_embedder(name)`` to reuse one loaded model across files.
* ``SpeakerOptions(num_speakers=None, min_speakers=None, max_speakers=None, ...)``: frozen; the
  CLI's ``--speakers N``, ``--min-speakers``, ``--max-speakers`` map onto the first three.
* ``SpeakerTurn(start, end, speaker)``: seconds; speakers "SPEAKER_00", "SPEAKER_01"... in order
  of first appearance; turns are in time order and never overlap.
* ``assign_speakers(segments, turns) -> list[SpeakerSegment]`` and ``speaker_at(start, end,
  turns)``: each word gets the speaker overlapping it most; segments split where it changes.
* ``EMBEDDERS``, ``Embedder``, ``load_embedder(name)``: the replaceable embedding models.

How (each step in its own module): Silero voice activity (`engine.vad.Chunker`) finds speech while
the file streams (`extract`); the GE2E voice encoder (`ge2e`, Resemblyzer's weights) embeds 1.6 s
windows every 0.8 s of speech; average-linkage clustering with a similarity threshold estimates
the count, or honours the user's, then centroids refine it (`clustering`); windows vote on each
10 ms of speech for the turns (`turns`). Memory holds embeddings, never the whole audio.
Accuracy and speed on real meetings: ``bench/diarization.py`` and bench/README.md.
"""

from engine.speakers.assign import SpeakerSegment, assign_speakers, speaker_at
from engine.speakers.embedders import EMBEDDERS, Embedder, EmbedderEntry, load_embedder
from engine.speakers.options import SpeakerOptions, SpeakerProgress, SpeakerTurn
from engine.speakers.pipeline import identify_speakers

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "EmbedderEntry",
    "SpeakerOptions",
    "SpeakerProgress",
    "SpeakerSegment",
    "SpeakerTurn",
    "assign_speakers",
    "identify_speakers",
    "load_embedder",
    "speaker_at",
]

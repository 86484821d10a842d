"""What speaker identification is asked for and what it gives back: frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SpeakerOptions", "SpeakerProgress", "SpeakerTurn"]


@dataclass(frozen=True, slots=True)
class SpeakerOptions:
    """How many speakers to look for, and with which model.

    Attributes:
        num_speakers: The exact number of speakers, when the user knows it; None to estimate it.
        min_speakers: The fewest speakers to report when estimating (at least 1).
        max_speakers: The most speakers to report when estimating.
        embedder: Catalogue name of the speaker-embedding model (`engine.speakers.EMBEDDERS`).
        window_s: Seconds between the starts of consecutive embedding windows; each window lasts
            as long as the model was trained on (1.6 s for GE2E). Smaller is finer and slower.
        threshold: Cosine-similarity threshold under which two groups of windows are taken for
            different speakers when the count is estimated (tuned on AMI, see bench/README.md).
    """

    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    embedder: str = "ge2e-resemblyzer"
    window_s: float = 0.8
    threshold: float = 0.69

    def __post_init__(self) -> None:
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise ValueError(
                f"min_speakers ({self.min_speakers}) is more than max_speakers "
                f"({self.max_speakers})"
            )
        if self.window_s <= 0:
            raise ValueError(f"window_s must be positive, not {self.window_s}")

    def bounds(self, available: int) -> tuple[int, int]:
        """The fewest and most speakers to consider among ``available`` windows (>= 1)."""
        if self.num_speakers is not None:
            exact = min(self.num_speakers, available)
            return exact, exact
        low = min(self.min_speakers or 1, available)
        high = min(self.max_speakers or available, available)
        return low, max(low, high)


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One stretch of speech by one speaker.

    Attributes:
        start: Seconds from the start of the recording.
        end: Seconds from the start of the recording; after ``start``.
        speaker: The speaker's label, "SPEAKER_00", "SPEAKER_01"... numbered in order of first
            appearance.
    """

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        """Seconds the turn lasts."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class SpeakerProgress:
    """How far speaker identification has come.

    Attributes:
        stage: "embedding" while audio is read and embedded, then "clustering".
        done: Seconds of audio read so far (the whole duration once clustering starts).
        total: The recording's duration in seconds, when known (0 when not).
    """

    stage: str
    done: float
    total: float

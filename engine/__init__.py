"""Transcription engine: audio, log-mel, Whisper in MLX, decoding and word timing.

Importing the package first decides which BLAS MLX uses (see `engine.blas`), because that only
works before mlx itself is imported.
"""

from engine.blas import preload_openblas

preload_openblas()

"""Playing the recording: the media clock (`clock`) and the player bar under the transcript."""

"""The file list and the work behind it.

The rows (`item_model`) and their pane, the runner that feeds the transcription worker thread
one file at a time, and model downloads.
"""

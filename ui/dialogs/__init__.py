"""Every modal question the app asks, one module per dialog.

Export, import subtitles, transcription settings, recovery, speakers, keyboard shortcuts, and
the message boxes and file pickers behind `ui.files.questions.Questions`.
"""

"""Pure media code: text → speech → audio files; video probe and transcode; object storage.

Knows nothing of Flask, SQLAlchemy, RQ or the app: settings come in as arguments and
progress goes out through a callback.
"""

"""The worker processes: `python -m workers --kind quick|video` runs RQ's worker on the jobs of
app/media (worker.py), with a clock beside it (app/clock.py)."""

"""What each speech engine implies, without loading any (the web process reads this)."""

from __future__ import annotations

# Engines that send the text off this machine, to a speech service: unpublished text stays
# away from them unless an admin allows it (TTS_ONLINE_FOR_UNPUBLISHED).
ONLINE_ENGINES = frozenset({"gtts"})

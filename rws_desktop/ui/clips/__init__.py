"""Reviewing a clip: a player with a timeline and an original/safe flip, the list of tracks, and
the corrections (each with a typed reason, audited by core.clips.review). The vetting workspace
opens `ClipReviewPanel` for a clip; the widgets take plain data and services, not the window."""

"""Vetting photos for a channel: analysis (faces, matches, consent, the safety rule), batches in
worker processes, review with corrections, and publishing safe copies with their audit entries.

The top of the core: it may import every other core package, and none imports it.
"""

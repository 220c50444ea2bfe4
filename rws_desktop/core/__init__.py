"""The domain, free of Qt and SQLAlchemy, in packages from the bottom up:

kernel (ports, session, permissions, consent rules, channels, the audit chain)
  <- faces (pixels to faces to encodings to blurs)
  <- accounts (staff, passwords, DPIA, channel admins), keys (the reference-face and audit-log keys)
  <- register, audit, captions (the consent register; reading the log; checking a post's caption)
  <- vetting (a photo for a channel, through to its safe copy and audit entry)
  <- posts (a caption and its vetted photos for one channel, through to the posting pack).

A package imports only those below it; tests/core/test_layering.py holds that.
"""

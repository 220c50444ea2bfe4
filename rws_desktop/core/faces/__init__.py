"""Faces in pixels: loading photos, finding faces (CenterFace, in several passes), encoding and
matching them against the register's references, and blurring them beyond recognition.

Knows nothing of consent, channels or the log; imports only the kernel.
"""

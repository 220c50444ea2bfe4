"""The shared kernel every other core package stands on.

Ports to storage, the signed-in session and the permission table, the consent rules and the
channel catalogue (with who may post to each), the audit chain, and the decision words the log
records. It imports no other core package.
"""

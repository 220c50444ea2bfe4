"""The Audit log workspace, where auditors and the DPO read, verify and export the log (read-only)."""

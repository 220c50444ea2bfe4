"""Reading the audit log: the log service with its filters and pages, plain descriptions of
entries, chain status, and the CSV and PDF reports for auditors and governors.

The chain itself (hashing and appending) is in the kernel. Imports only the kernel.
"""

"""The two keys kept outside the database: the reference-face key (encrypts reference faces) and the
audit-log key (seals the log and the register rows). What each is, finding or making them when a
database is opened, and carrying both to another PC in one passphrase-sealed key file, with the
refusals and audit entries that go with it. Where keys are kept (the OS keyring, a private file)
and what the database records of them sit behind `keys.ports`. Imports only the kernel.
"""

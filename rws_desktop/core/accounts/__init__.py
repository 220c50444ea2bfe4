"""Staff accounts, passwords, the DPIA record and channel admin lists: who may do what, as
managed by admins. Imports only the kernel.
"""

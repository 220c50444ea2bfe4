"""The consent register: people, photo consent per channel, name permission, biometric answers,
reference faces, the MIS import, year end, expiry and the impact of a withdrawal.

Imports the kernel, faces (to enrol reference faces) and accounts (the DPIA gate).
"""

"""The Consent register workspace: people, their consent, reference faces, MIS import and year end."""

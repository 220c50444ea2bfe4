"""The admin workspace and the first-run setup assistant: accounts, channel admins, the DPIA and the key."""

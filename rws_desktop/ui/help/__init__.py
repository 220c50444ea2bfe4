"""Help: the in-app user guide, and "What does this mean?" links beside the rules."""

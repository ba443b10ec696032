"""The terminal: one hunk renderer and the interactive review."""

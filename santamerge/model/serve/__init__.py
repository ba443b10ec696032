"""The local model server and its autostart."""

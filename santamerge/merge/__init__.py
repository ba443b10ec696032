"""The merge: from conflict markers to a written file, one stage at a time."""

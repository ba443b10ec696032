"""The structured merges: a conflict hunk merged again by its syntax (tree, union), by its
words, and the checks of what a clean line merge or a candidate may lose (clashes, unused)."""

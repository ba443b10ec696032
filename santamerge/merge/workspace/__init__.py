"""The workspace, above the pipeline: the git merge driver, the conflicted files of a
repository (and stored driver attempts) that resolve and preview propose on, and the
backups of what resolve writes."""

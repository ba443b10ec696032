; Names a written region uses (the diagnostics gate, santamerge.merge.checks.diagnostics):
; a use of a name that the base defined and that nothing in the merged file defines.
(identifier) @use

; Candidates for stub detection (santamerge/stubs.py): every function or method that
; has a body, with its name and body block. Whether the body holds only a placeholder
; (pass, ..., raise NotImplementedError, a TODO comment) is decided in Python, which
; also reads the decorators (a decorated_definition parent) and the enclosing class.
; Comments before the first statement of a body are children of the
; function_definition in this grammar, not of its block.
(function_definition
  name: (identifier) @name
  body: (block) @body) @definition

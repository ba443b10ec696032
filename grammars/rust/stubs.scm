; Candidates for stub detection (santamerge/stubs.py): every function with a body, in
; any position (the file, an impl or trait block, a module, another function). Trait
; method declarations without a body are function_signature_item and do not match.
; Whether the body holds only todo!(), unimplemented!(), a TODO comment, or nothing
; (for a function returning `()`), is decided in Python.
(function_item
  name: (identifier) @name
  body: (block) @body) @definition

; Candidates for stub detection (santamerge/stubs.py): functions and methods with a
; body. Interface methods (method_elem) have no body and do not match. A body's
; statements sit in a statement_list inside the block; comments may sit in either.
(function_declaration
  name: (identifier) @name
  body: (block) @body) @definition
(method_declaration
  name: (field_identifier) @name
  body: (block) @body) @definition

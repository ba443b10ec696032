; Candidates for stub detection (santamerge/stubs.py): every method that has a body,
; with its name and body block. Interface and abstract methods have no body and do not
; match. Constructors are left out on purpose: an empty constructor, or one that throws
; UnsupportedOperationException in a utility class, is an idiom, not a stub.
(method_declaration
  name: (identifier) @name
  body: (block) @body) @definition

; Order-free parents for the tree merge (santamerge/merge/structured/tree.py). @parent: a parent
; whose named children may come in any order where they have a signature (definitions
; and imports by name or text, @key below); others keep their order. @set: every child
; may come in any order. @item lists a parent's children where not all named children
; are (the names of `from m import a, b`, not the module). @key gives a @keyed child
; (or an @item) its signature.
(module) @parent
(class_definition body: (block) @parent)
(dictionary) @parent
(pair key: (_) @key) @keyed
(set) @set
(import_from_statement name: (_) @item) @set
(expression_statement
  (assignment left: (identifier) @_all right: (list) @set)
  (#eq? @_all "__all__"))
(class_definition body: (block (expression_statement
  (assignment left: (identifier) @key)) @keyed))

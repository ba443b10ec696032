; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. Items are signed by definitions.scm,
; `use` declarations by their text.
(source_file) @parent
(declaration_list) @parent
(field_declaration_list) @parent
(field_declaration name: (field_identifier) @key) @keyed
(enum_variant_list) @parent
(enum_variant name: (identifier) @key) @keyed
(field_initializer_list) @parent
(field_initializer field: (field_identifier) @key) @keyed
(shorthand_field_initializer) @key @keyed
(use_list) @set
(attribute (identifier) @_derive arguments: (token_tree) @set (#eq? @_derive "derive"))

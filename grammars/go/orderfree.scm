; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. Functions, methods and types are signed
; by definitions.scm, imports by their text.
(source_file) @parent
(import_spec_list) @set
(field_declaration_list) @parent
(field_declaration name: (field_identifier) @key) @keyed
(literal_value) @parent
(keyed_element . (_) @key) @keyed

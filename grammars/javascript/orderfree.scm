; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. Functions, classes and methods are signed
; by definitions.scm, imports by their text. Spreads (`...x`) have no signature: their
; place among the keys matters, so they keep it.
(program) @parent
(class_body) @parent
(field_definition property: (_) @key) @keyed
(object) @parent
(pair key: (_) @key) @keyed
(shorthand_property_identifier) @key @keyed
(named_imports) @set
(export_clause) @set

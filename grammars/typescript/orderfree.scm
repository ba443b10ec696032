; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. As JavaScript, plus interfaces, object
; types and enums.
(program) @parent
(class_body) @parent
(public_field_definition name: (_) @key) @keyed
(object) @parent
(pair key: (_) @key) @keyed
(shorthand_property_identifier) @key @keyed
(named_imports) @set
(export_clause) @set
(interface_body) @parent
(object_type) @parent
(property_signature name: (_) @key) @keyed
(method_signature name: (_) @key) @keyed
(enum_body) @parent
(enum_body (property_identifier) @key @keyed)
(enum_assignment name: (_) @key) @keyed
(implements_clause) @set

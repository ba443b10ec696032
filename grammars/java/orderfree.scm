; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. Methods, constructors and types are
; signed by definitions.scm, imports by their text.
(program) @parent
(class_body) @parent
(interface_body) @parent
(enum_body) @parent
(enum_constant name: (identifier) @key) @keyed
(field_declaration declarator: (variable_declarator name: (identifier) @key)) @keyed
(constant_declaration declarator: (variable_declarator name: (identifier) @key)) @keyed
(super_interfaces (type_list) @set)
(extends_interfaces (type_list) @set)
(throws) @set

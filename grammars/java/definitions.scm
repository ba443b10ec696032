; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union: type declarations, methods and constructors.
; Annotations sit inside each declaration's `modifiers` node, so the declaration
; node already spans them. Overloaded methods and constructors share a @name text.
(class_declaration name: (identifier) @name) @definition
(interface_declaration name: (identifier) @name) @definition
(enum_declaration name: (identifier) @name) @definition
(record_declaration name: (identifier) @name) @definition
(annotation_type_declaration name: (identifier) @name) @definition
(method_declaration name: (identifier) @name) @definition
(constructor_declaration name: (identifier) @name) @definition
(annotation_type_element_declaration name: (identifier) @name) @definition

; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union. Attributes (`#[...]`) are sibling attribute_item
; nodes in this grammar, so the item node does not span them.
; impl blocks have no name of their own and are not captured; the functions inside
; them are.
(function_item name: (identifier) @name) @definition
(function_signature_item name: (identifier) @name) @definition
(struct_item name: (type_identifier) @name) @definition
(enum_item name: (type_identifier) @name) @definition
(union_item name: (type_identifier) @name) @definition
(trait_item name: (type_identifier) @name) @definition
(type_item name: (type_identifier) @name) @definition
(mod_item name: (identifier) @name) @definition
(const_item name: (identifier) @name) @definition
(static_item name: (identifier) @name) @definition
(macro_definition name: (identifier) @name) @definition

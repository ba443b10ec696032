; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union. Attributes (`#[...]`) are sibling attribute_item
; nodes in this grammar, so the item node does not span them.
(function_signature_item name: (identifier) @name) @definition
(struct_item name: (type_identifier) @name) @definition
(enum_item name: (type_identifier) @name) @definition
(union_item name: (type_identifier) @name) @definition
(trait_item name: (type_identifier) @name) @definition
(mod_item name: (identifier) @name) @definition
(static_item name: (identifier) @name) @definition
(macro_definition name: (identifier) @name) @definition

; Functions, consts and type aliases can also be members of an impl block, which has
; no name of its own and is not captured. There the impl's `trait` (when present)
; and `type` are captured as @scope, in that order, so that `fn fmt` in
; `impl Display for A` and in `impl Debug for A` differ. Everywhere else (the file,
; a block, a module, a trait, an extern block) they are matched without @scope, so
; each item matches exactly one pattern.
(impl_item
  trait: (_)? @scope
  type: (_) @scope
  body: (declaration_list
    [(function_item name: (identifier) @name)
     (const_item name: (identifier) @name)
     (type_item name: (type_identifier) @name)] @definition))

(source_file
  [(function_item name: (identifier) @name)
   (const_item name: (identifier) @name)
   (type_item name: (type_identifier) @name)] @definition)
(block
  [(function_item name: (identifier) @name)
   (const_item name: (identifier) @name)
   (type_item name: (type_identifier) @name)] @definition)
(mod_item
  body: (declaration_list
    [(function_item name: (identifier) @name)
     (const_item name: (identifier) @name)
     (type_item name: (type_identifier) @name)] @definition))
(trait_item
  body: (declaration_list
    [(function_item name: (identifier) @name)
     (const_item name: (identifier) @name)
     (type_item name: (type_identifier) @name)] @definition))
(foreign_mod_item
  body: (declaration_list
    [(function_item name: (identifier) @name)
     (const_item name: (identifier) @name)
     (type_item name: (type_identifier) @name)] @definition))

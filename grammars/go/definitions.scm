; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union: functions, methods and named types.
; Methods are top-level siblings; their names are unique per receiver type only.
(function_declaration name: (identifier) @name) @definition
(method_declaration name: (field_identifier) @name) @definition

; `type T ...` or `type T = U` with one spec: the whole declaration is the item.
(type_declaration
  .
  [(type_spec name: (type_identifier) @name)
   (type_alias name: (type_identifier) @name)]
  .) @definition

; Each spec of a grouped `type ( ... )` is an item of its own. (For a single spec
; this also matches, nested inside the match above; the outer node wins.)
(type_declaration
  [(type_spec name: (type_identifier) @name)
   (type_alias name: (type_identifier) @name)] @definition)

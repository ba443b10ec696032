; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union: functions, methods and named types.
(function_declaration name: (identifier) @name) @definition

; Methods are top-level siblings; their names are unique per receiver type only, so
; the receiver's type name is captured as @scope: `func (p *Point[T]) String()` has
; scope `Point`. A receiver of another shape still matches, without @scope.
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @scope
             (generic_type type: (type_identifier) @scope)
             (pointer_type
               [(type_identifier) @scope
                (generic_type type: (type_identifier) @scope)])
             (parenthesized_type
               [(type_identifier) @scope
                (pointer_type (type_identifier) @scope)])])?)
  name: (field_identifier) @name) @definition

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

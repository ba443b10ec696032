; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union: type declarations, methods and constructors.
; Annotations sit inside each declaration's `modifiers` node, so the declaration
; node already spans them.
(class_declaration name: (identifier) @name) @definition
(interface_declaration name: (identifier) @name) @definition
(enum_declaration name: (identifier) @name) @definition
(record_declaration name: (identifier) @name) @definition
(annotation_type_declaration name: (identifier) @name) @definition
(annotation_type_element_declaration name: (identifier) @name) @definition

; Methods and constructors may be overloaded: their parameter list is captured as
; @params, and each parameter's type as @signature, in order. A varargs parameter
; adds its "..." token after its type, and a C-style array parameter (`int a[]`) its
; dimensions, so that `f(String)`, `f(String...)` and `f(int)` / `f(int[])` differ.
; A receiver parameter (`A this`) is not part of the signature.
; The parameters are separated by "," in the pattern: a plain quantifier over them
; would split one method into a match per parameter.
(method_declaration
  name: (identifier) @name
  parameters: (formal_parameters
    ([(formal_parameter !dimensions type: (_) @signature)
      (formal_parameter type: (_) @signature dimensions: (_) @signature)
      (spread_parameter (_) @signature . "..." @signature)]
     (","
      [(formal_parameter !dimensions type: (_) @signature)
       (formal_parameter type: (_) @signature dimensions: (_) @signature)
       (spread_parameter (_) @signature . "..." @signature)])*)?) @params) @definition
(constructor_declaration
  name: (identifier) @name
  parameters: (formal_parameters
    ([(formal_parameter !dimensions type: (_) @signature)
      (formal_parameter type: (_) @signature dimensions: (_) @signature)
      (spread_parameter (_) @signature . "..." @signature)]
     (","
      [(formal_parameter !dimensions type: (_) @signature)
       (formal_parameter type: (_) @signature dimensions: (_) @signature)
       (spread_parameter (_) @signature . "..." @signature)])*)?) @params) @definition

; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union. Decorators are children of the class or method
; node, so those nodes already span them.
(function_declaration name: (identifier) @name) @definition
(generator_function_declaration name: (identifier) @name) @definition
(class_declaration name: (identifier) @name) @definition
(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition

; An exported declaration: the whole `export ...` statement is the item.
(export_statement
  declaration: [(function_declaration name: (identifier) @name)
                (generator_function_declaration name: (identifier) @name)
                (class_declaration name: (identifier) @name)]) @definition

; Top-level `const f = () => ...` and `const f = function ...`, one declarator only.
(program
  (lexical_declaration
    kind: "const"
    .
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression) (generator_function)])
    .) @definition)
(program
  (export_statement
    declaration: (lexical_declaration
      kind: "const"
      .
      (variable_declarator
        name: (identifier) @name
        value: [(arrow_function) (function_expression) (generator_function)])
      .)) @definition)

; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union. Shared by the typescript and tsx languages, so it
; names only node types that both have.
; Class decorators are children of the class (or export) node; method decorators are
; siblings of the method inside `class_body`, so a method's node does not span them.
; Overload signatures (function_signature, method_signature) and namespaces
; (declaration merging) are left out on purpose.
(function_declaration name: (identifier) @name) @definition
(generator_function_declaration name: (identifier) @name) @definition
(class_declaration name: (type_identifier) @name) @definition
(abstract_class_declaration name: (type_identifier) @name) @definition
(interface_declaration name: (type_identifier) @name) @definition
(type_alias_declaration name: (type_identifier) @name) @definition
(enum_declaration name: (identifier) @name) @definition
(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition

; An exported declaration: the whole `export ...` statement is the item.
(export_statement
  declaration: [(function_declaration name: (identifier) @name)
                (generator_function_declaration name: (identifier) @name)
                (class_declaration name: (type_identifier) @name)
                (abstract_class_declaration name: (type_identifier) @name)
                (interface_declaration name: (type_identifier) @name)
                (type_alias_declaration name: (type_identifier) @name)
                (enum_declaration name: (identifier) @name)]) @definition

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

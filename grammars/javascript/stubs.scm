; Candidates for stub detection (santamerge/stubs.py): functions, generators and
; methods with a body, and function expressions / arrow functions with a block body
; that are assigned to a name (a variable, a class field, an assignment target, an
; object key). Which bodies hold only a placeholder is decided in Python.
(function_declaration
  name: (identifier) @name
  body: (statement_block) @body) @definition
(generator_function_declaration
  name: (identifier) @name
  body: (statement_block) @body) @definition
(method_definition
  name: [(property_identifier) (private_property_identifier)] @name
  body: (statement_block) @body) @definition

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function body: (statement_block) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)]) @definition
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function body: (statement_block) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)]) @definition
(assignment_expression
  left: [(identifier) (member_expression)] @name
  right: [(arrow_function body: (statement_block) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)]) @definition
(pair
  key: (property_identifier) @name
  value: [(arrow_function body: (statement_block) @body)
          (function_expression body: (statement_block) @body)
          (generator_function body: (statement_block) @body)]) @definition

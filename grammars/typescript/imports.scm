; Import statements, `import type` and `import x = require("m")` included: order-free
; items for the structured union. Shared by the typescript and tsx languages.
(import_statement) @import

; Top-level `const x = require("m");` with a single declarator.
(program
  (lexical_declaration
    kind: "const"
    .
    (variable_declarator
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) .)))
    .) @import
  (#eq? @_require "require"))

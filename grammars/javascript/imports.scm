; Import statements: order-free items for the structured union.
; Every import is matched whole by the first two patterns; the patterns after them
; match it again once for each name it binds in the file's scope, as @name.
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

; `import d, * as ns from "m"` binds `d` and `ns`; `import "m"` binds nothing.
(import_statement (import_clause (identifier) @name)) @import
(import_statement (import_clause (namespace_import (identifier) @name))) @import

; `import {a, b as c} from "m"` binds `a` and `c`.
(import_statement
  (import_clause
    (named_imports
      [(import_specifier !alias name: (identifier) @name)
       (import_specifier alias: (identifier) @name)]))) @import

; `const x = require("m")` binds `x`; `const {a, b: c, ...d} = require("m")` binds
; `a`, `c` and `d` (defaults included; nested patterns are not followed).
(program
  (lexical_declaration
    kind: "const"
    .
    (variable_declarator
      name: [(identifier) @name
             (object_pattern
               [(shorthand_property_identifier_pattern) @name
                (object_assignment_pattern
                  left: (shorthand_property_identifier_pattern) @name)
                (pair_pattern
                  value: [(identifier) @name
                          (assignment_pattern left: (identifier) @name)])
                (rest_pattern (identifier) @name)])]
      value: (call_expression
        function: (identifier) @_require
        arguments: (arguments . (string) .)))
    .) @import
  (#eq? @_require "require"))

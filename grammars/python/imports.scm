; Import statements: order-free items for the structured union.
; Every statement is matched whole by the first three patterns; the patterns after
; them match it again once for each name it binds in the file's scope, as @name.
(import_statement) @import
(import_from_statement) @import
(future_import_statement) @import

; `import a.b` binds `a`; `import a.b as c` binds `c`.
(import_statement
  name: (dotted_name . (identifier) @name)) @import
(import_statement
  name: (aliased_import alias: (identifier) @name)) @import

; `from m import x, y as z` binds `x` and `z`; `from m import *` binds nothing
; (no `name` field), and `from __future__ import ...` is a future_import_statement.
(import_from_statement
  name: (dotted_name . (identifier) @name)) @import
(import_from_statement
  name: (aliased_import alias: (identifier) @name)) @import

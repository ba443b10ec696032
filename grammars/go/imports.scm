; Import declarations, whole, and each spec of a parenthesised import list: both are
; order-free items for the structured union.
(import_declaration) @import
(import_spec_list (import_spec) @import)

; The name an import binds, as @name, with the import that binds it: only an explicit
; alias (`import f "fmt"`), since the package name is not in the source. `_` and `.`
; are other node types (blank_identifier, dot) and bind nothing. A single import's
; name comes with the whole declaration; a listed import's with its own spec.
(import_declaration
  (import_spec name: (package_identifier) @name)) @import
(import_spec_list
  (import_spec name: (package_identifier) @name) @import)

; An import without an alias, as @path, with the import it comes with: it binds the
; package's name, which is not in the source; santamerge.merge.structured.unused guesses it from
; the path's last elements (`encoding/json`: json; `yaml/v3`: yaml or v3).
(import_declaration
  (import_spec !name path: (_) @path)) @import
(import_spec_list
  (import_spec !name path: (_) @path) @import)

; Import declarations (single-type, on-demand and static): order-free items.
; Every declaration is matched whole by the first pattern; the second matches it
; again with the name it binds in the file's scope, as @name.
(import_declaration) @import

; `import a.b.C;` binds `C`; `import static a.b.C.m;` binds `m`; `import D;` binds
; `D`. On-demand imports (`a.b.*`) end in an asterisk and bind nothing.
(import_declaration
  [(scoped_identifier name: (identifier) @name)
   (identifier) @name]
  .
  ";") @import

; Import declarations, whole, and each spec of a parenthesised import list: both are
; order-free items for the structured union.
(import_declaration) @import
(import_spec_list (import_spec) @import)

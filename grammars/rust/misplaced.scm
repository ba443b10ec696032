; Items tree-sitter accepts where Rust does not (santamerge/gates.py): a `use`
; declaration in an impl or trait body. Every @misplaced capture is an error.
(impl_item body: (declaration_list (use_declaration) @misplaced))
(trait_item body: (declaration_list (use_declaration) @misplaced))

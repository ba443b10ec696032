; Statements tree-sitter parses wherever they stand, which the language allows only in
; some places (santamerge/gates.py checks each capture: the gate for what error
; recovery and a lenient grammar let through). By capture name:
;   @toplevel  must sit directly in the program (import/export declarations)
;   @return    must sit inside a function
;   @await     must not sit in a function that is not async
;   @lexical   a let/const/class name: bound once per block
(import_statement) @toplevel
(export_statement) @toplevel
(return_statement) @return
(await_expression) @await
(lexical_declaration (variable_declarator name: (identifier) @lexical))
(class_declaration name: (_) @lexical)

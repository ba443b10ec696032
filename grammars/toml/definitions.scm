; TOML keys and tables: a table header or a key may appear once in its table (TOML
; itself rejects a file that repeats one). Arrays of tables ([[bin]]) repeat on purpose:
; they and the keys inside them are left out, as are inline tables.
(document (pair [(bare_key) (quoted_key) (dotted_key)] @name) @definition)
(table [(bare_key) (quoted_key) (dotted_key)] @name) @definition
(table (pair [(bare_key) (quoted_key) (dotted_key)] @name) @definition)

; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. Keys and tables are unique and in any
; order; arrays of tables ([[bin]]) repeat, and keep their order.
(document) @parent
(table) @parent
(pair . (_) @key) @keyed
(table . (_) @key) @keyed
(inline_table) @parent

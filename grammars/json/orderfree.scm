; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. An object's keys are unique in it and in
; any order; arrays keep their order.
(object) @parent
(pair key: (_) @key) @keyed

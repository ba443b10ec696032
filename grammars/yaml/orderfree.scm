; Order-free parents for the tree merge (santamerge/merge/structured/tree.py); the captures are
; explained in grammars/python/orderfree.scm. A mapping's keys are unique in it and in
; any order; sequences keep their order.
(block_mapping) @parent
(block_mapping_pair key: (_) @key) @keyed
(flow_mapping) @parent
(flow_pair key: (_) @key) @keyed

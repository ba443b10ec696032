; The keys of YAML block mappings: unique in their mapping, and order-free items for the
; structured union. Mappings inside sequences (a CI job's steps) are left out: their
; keys repeat from item to item on purpose.
(document
  (block_node
    (block_mapping
      (block_mapping_pair key: (flow_node [(plain_scalar) (double_quote_scalar)
                                           (single_quote_scalar)] @name)) @definition)))
(block_mapping_pair
  value: (block_node
    (block_mapping
      (block_mapping_pair key: (flow_node [(plain_scalar) (double_quote_scalar)
                                           (single_quote_scalar)] @name)) @definition)))

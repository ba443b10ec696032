; The keys of JSON objects: unique in their object (a duplicate key is a wrong merge:
; parsers keep one value, silently). Objects inside arrays are left out: their keys
; repeat from element to element on purpose, and an array is ordered, not order-free.
(document
  (object (pair key: (string (string_content) @name)) @definition))
(pair
  value: (object (pair key: (string (string_content) @name)) @definition))

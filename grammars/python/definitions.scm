; Definitions whose names must stay unique in their scope, and which are order-free
; items for the structured union: functions, classes, and decorated ones.
(function_definition name: (identifier) @name) @definition
(class_definition name: (identifier) @name) @definition
(decorated_definition
  definition: [(function_definition name: (identifier) @name)
               (class_definition name: (identifier) @name)]) @definition

; `use` declarations and `extern crate` declarations: order-free items.
; Every declaration is matched whole by the first two patterns; the patterns after
; them match it again once for each name it binds in the file's scope, as @name.
(use_declaration) @import
(extern_crate_declaration) @import

; `extern crate foo;` binds `foo`; `extern crate foo as bar;` binds `bar`.
(extern_crate_declaration !alias name: (identifier) @name) @import
(extern_crate_declaration
  alias: (identifier) @name
  (#not-eq? @name "_")) @import

; `use std;` binds `std`; `use a::b::C;` binds `C`; `use a::b as c;` binds `c`;
; `use a::b as _;` and `use a::*;` bind nothing.
(use_declaration
  argument: [(identifier) @name
             (scoped_identifier name: (identifier) @name)
             (use_as_clause alias: (identifier) @name)]
  (#not-eq? @name "_")) @import

; The entries of a `{...}` list, two lists deep: `use a::{b, c::d, e as f};` binds
; `b`, `d` and `f`; `self` binds the last segment of the list's path
; (`use a::b::{self};` binds `b`). Lists nested deeper are not followed.
(use_declaration
  argument: [(use_list
               [(identifier) @name
                (scoped_identifier name: (identifier) @name)
                (use_as_clause alias: (identifier) @name)])
             (scoped_use_list
               list: (use_list
                 [(identifier) @name
                  (scoped_identifier name: (identifier) @name)
                  (use_as_clause alias: (identifier) @name)]))]
  (#not-eq? @name "_")) @import
(use_declaration
  argument: (scoped_use_list
    path: [(identifier) @name (scoped_identifier name: (identifier) @name)]
    list: (use_list (self)))) @import
(use_declaration
  argument: [(use_list
               (scoped_use_list
                 list: (use_list
                   [(identifier) @name
                    (scoped_identifier name: (identifier) @name)
                    (use_as_clause alias: (identifier) @name)])))
             (scoped_use_list
               list: (use_list
                 (scoped_use_list
                   list: (use_list
                     [(identifier) @name
                      (scoped_identifier name: (identifier) @name)
                      (use_as_clause alias: (identifier) @name)]))))]
  (#not-eq? @name "_")) @import
(use_declaration
  argument: [(use_list
               (scoped_use_list
                 path: [(identifier) @name (scoped_identifier name: (identifier) @name)]
                 list: (use_list (self))))
             (scoped_use_list
               list: (use_list
                 (scoped_use_list
                   path: [(identifier) @name (scoped_identifier name: (identifier) @name)]
                   list: (use_list (self)))))]) @import

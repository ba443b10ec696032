; `use` declarations and `extern crate` declarations: order-free items.
(use_declaration) @import
(extern_crate_declaration) @import

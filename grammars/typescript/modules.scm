; The module system a file uses (the diagnostics gate): an ES module's import and
; export statements, and CommonJS's `require(...)` calls and `module.exports`.
(import_statement) @esm
(export_statement) @esm
(call_expression function: (identifier) @_fn (#eq? @_fn "require")) @commonjs
(member_expression
  object: (identifier) @_module
  property: (property_identifier) @_exports
  (#eq? @_module "module") (#eq? @_exports "exports")) @commonjs

"""What santamerge knows of code as tree-sitter parses it, said once: the walks up a
tree (the enclosing function, the names a definition sits in), the ERROR walk, the
definitions and bindings of a file, a key's identity, Python's compiler, and character
and byte offsets. The node types that differ by language are fields of the language
profiles (``comments``, ``functions``, ``scopes``). ``merge/`` and ``stubs/`` both
stand on it; it knows nothing of merges or stubs."""

; Import declarations (single-type, on-demand and static): order-free items.
(import_declaration) @import

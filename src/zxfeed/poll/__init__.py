"""Poll: one poll of one source through fetch, extract, normalize and store; health, enrichment."""

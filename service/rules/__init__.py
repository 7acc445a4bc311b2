"""Rule engine: recognisers (rules/extract) and one module per rule family."""

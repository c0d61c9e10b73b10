"""CDS Hooks 2.0 wire protocol: models named exactly as the spec, request validation, errors."""

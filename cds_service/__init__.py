"""peritoneal-cds: the CDS Hooks 2.0 framework around the guideline rules."""

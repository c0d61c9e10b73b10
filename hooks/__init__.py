"""What the EHR sees: service declarations, the bibliography, and the guideline rules."""

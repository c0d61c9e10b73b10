"""Rule engine: rule and finding types, isolated rule runs, and the card builder."""

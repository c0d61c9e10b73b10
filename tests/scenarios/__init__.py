"""Descriptions of scenario folders, one module per family: each exposes `SCENARIOS`, specs with their `rule`,
`name` and `write(root)` (see tests.scenario_builder, whose command (re)writes them:
`python -m tests.scenario_builder RULE-ID`)."""

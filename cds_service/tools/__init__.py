"""Integrator tools behind `peritoneal-cds`: fire a hook as an EHR would, development keys, example patients,
configuration check, feedback report."""

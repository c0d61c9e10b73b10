"""Authentication of CDS clients: trusted issuers, their keys, and JWT verification (CDS Hooks 2.0 §Trusting
CDS Clients)."""

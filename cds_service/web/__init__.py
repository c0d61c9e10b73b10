"""HTTP routes: discovery, service calls, feedback, source pages."""

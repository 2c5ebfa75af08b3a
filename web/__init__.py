"""The web layer: the viewflow site shell, pages outside the flows, health checks, middleware."""

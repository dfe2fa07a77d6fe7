"""Fetch stage: polite HTTP to the sites (host gates, redirects, conditional GET, robots.txt, SSRF guard)."""

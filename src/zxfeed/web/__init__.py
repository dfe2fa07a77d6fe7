"""Web: the HTTP server for feeds, the status page, subscriptions and metrics."""

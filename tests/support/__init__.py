"""Test support: the local test web, SMTP sink, browser driver, hostile servers and wait helpers."""

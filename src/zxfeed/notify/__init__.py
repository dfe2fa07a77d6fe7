"""Notify stage: subscribers' filters, instant alerts, digests, the outbox and delivery."""

"""Daemon: wires the stages together on APScheduler (poll jobs, publish loop, mail loop), one per store."""

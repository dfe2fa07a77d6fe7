"""Publish stage: Atom, RSS and JSON feeds, archives, filtered feeds, OPML and WebSub pings from the store."""

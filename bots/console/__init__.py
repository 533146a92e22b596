"""The terminal channel: talk to the engine without any platform account."""

"""The openings feature's chat flows: search, details, subscriptions."""

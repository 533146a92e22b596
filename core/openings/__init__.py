"""The openings catalogue (招聘信息): storage, import, subscriptions. Search is in core.matching."""

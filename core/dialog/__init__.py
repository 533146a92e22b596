"""The channel-neutral dialog engine and the vocabulary flows are written in."""

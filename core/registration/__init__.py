"""求职登记, 失业登记 and 就业登记 by chat: validation, consent, drafts and the two-level review."""

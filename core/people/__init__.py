"""People: personal data (encryption, masking), staff accounts and tokens, the audit trail."""

"""Files staff take away: ledgers (台账) as spreadsheets."""

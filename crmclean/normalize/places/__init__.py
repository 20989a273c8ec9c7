"""Where a record is: country, state, postal code, city."""

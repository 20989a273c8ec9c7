"""Values any field can hold: text hygiene, placeholders, dates, flags, picklists, and
multi-value cells."""

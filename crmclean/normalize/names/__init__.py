"""Person names: casing, the vocabulary of titles and particles, splitting into parts."""

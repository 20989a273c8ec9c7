"""Company names and websites: casing, legal forms, the company domain."""

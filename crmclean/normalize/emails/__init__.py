"""E-mail addresses: parsing, repair of typed mistakes, typo domains, optional DNS checks."""

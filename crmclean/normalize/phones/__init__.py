"""Phone numbers: E.164 through a polars port of phonenumbers, with the library as the slow path."""

"""crmclean: read, map, normalize, deduplicate, gate and load CRM contacts."""

__version__ = "0.1.0"

"""Companies beside contacts: linking golden contacts to golden companies, the company stage,
loading, exporting and auditing companies (the matcher itself is :mod:`crmclean.companies`)."""

"""The company record's fields, kept apart with no imports: the matcher's record
(:mod:`crmclean.companies.fields`) and the target's ``companies`` table
(:mod:`crmclean.load.schema`) both read them, and neither may import the other (the load
schema sits below the dedupe engine the matcher uses)."""

FIELDS = (
    "name",
    "legal_name",
    "domain",
    "cnpj",
    "tax_id",
    "phone",
    "street",
    "street_number",
    "postal_code",
    "city",
    "state",
    "country",
)
PARENT_ID = "parent_id"  # a branch's head office, by CNPJ root
ORIGIN = "origin"  # where a golden company comes from: ``sources`` or ``contacts``
COMPANY_ID = "company_id"  # the golden company of a contact, and the key of ``companies``
TABLE_FIELDS = (*FIELDS, PARENT_ID, ORIGIN)  # the columns of ``companies`` besides its keys

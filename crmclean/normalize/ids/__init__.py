"""National ids (CPF, CNPJ): checked and formatted, with a polars fast path."""

"""``python -m crmclean``: the ``crmclean`` command, for environments without its script."""

from crmclean.cli import main

main(prog_name="crmclean")

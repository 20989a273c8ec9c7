"""Connector specs: declarative descriptions of CRM exports and databases (``connectors/``)."""

from crmclean.connectors.spec import (
    ConnectorSpec,
    DeletedRows,
    connector_files,
    detect,
    load_connector,
    load_connectors,
    named,
)

__all__ = [
    "ConnectorSpec",
    "DeletedRows",
    "connector_files",
    "detect",
    "load_connector",
    "load_connectors",
    "named",
]

"""``crmclean audit``: how healthy the contact data is, what exactly is wrong, and the trend.

Six dimensions (completeness, validity, uniqueness, consistency, timeliness, compliance), each
scored 0-100, and an overall score by configurable weights (``rules/audit.yaml``).
"""

from crmclean.audit.config import AuditConfig, load_audit_config
from crmclean.audit.run import AuditResult, audit

__all__ = ["AuditConfig", "AuditResult", "audit", "load_audit_config"]

"""The normalize stage: canonical values, a finding for every change, rejects for the unusable."""

from crmclean.normalize.stage import normalize

__all__ = ["normalize"]

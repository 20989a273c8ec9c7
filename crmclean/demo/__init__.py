"""A deterministic, messy multi-source CRM migration case with known true duplicates."""

from crmclean.demo.generate import DemoCase, generate_demo
from crmclean.demo.truth import pairwise_scores, read_truth, true_pairs

__all__ = ["DemoCase", "generate_demo", "pairwise_scores", "read_truth", "true_pairs"]

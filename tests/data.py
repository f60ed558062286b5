"""Records of the real dataset that the tests name, in one place (a renamed id breaks one line, not forty)."""

from __future__ import annotations

from api.routes.docs import EXAMPLE_IDS

FOUNDING_SOURCE = "china-ai-breakthrough-article"
FOUNDING_SEED = "2025-deepseek-r1-us-china-ai-rivalry.txt"

MODEL = "deepseek-r1"  # released 2025-01-20, open weights, MIT, from deepseek-v3-base, priced
MODEL_NAME = "DeepSeek-R1"
MODEL_RELEASED = "2025-01-20"
MODEL_BASE = "deepseek-v3-base"
MODEL_V2 = "deepseek-v2"  # carries the founding article's "1%" pricing claim
LAB = "deepseek"  # the lab, backed by BACKER
LAB_FOUNDER = "liang-wenfeng"
BACKER = "high-flyer"
CHIPMAKER = "nvidia"
CHIP = "nvidia-h800"
PERSON_WITH_EVENTS = "donald-trump"
POLICY_CN_PLAN = "cn-new-generation-ai-development-plan"
POLICY_EU = "eu-ai-act"  # short name "AI Act"
EXPORT_RULE = "us-export-controls-2023-10"
REVOKED_EO = "us-eo-14110"  # signed 2023-10-30, revoked 2025-01-20
LATER_EO = "us-eo-14179"  # signed 2025-01-23
RELEASE_EVENT = "deepseek-r1-release-2025-01-20"

__all__ = ["EXAMPLE_IDS"]

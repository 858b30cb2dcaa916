"""The shipped Leadership Pipeline levels (data/pipeline_levels.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PIPELINE_LEVELS = Path(__file__).parent / "data" / "pipeline_levels.yaml"


def load_pipeline_levels(apps: Any) -> None:
    level_model = apps.get_model("organisation", "PipelineLevel")
    for row in yaml.safe_load(PIPELINE_LEVELS.read_text(encoding="utf-8")):
        level_model.objects.update_or_create(key=row["key"], defaults=row)

"""Models of the custom metadata configurations (lightly 1.5.20's
``MetaDataConfigurationsApi``): how the web app reads a sample's ``custom_meta_data``."""

from __future__ import annotations

from enum import Enum
from typing import Any

import attrs

__all__ = [
    "ConfigurationData",
    "ConfigurationEntry",
    "ConfigurationSetRequest",
    "ConfigurationValueDataType",
]


class ConfigurationValueDataType(str, Enum):
    """The type of the value a configuration entry's ``path`` points at."""

    NUMERIC_INT = "NUMERIC_INT"
    NUMERIC_FLOAT = "NUMERIC_FLOAT"
    CATEGORICAL_STRING = "CATEGORICAL_STRING"
    CATEGORICAL_INT = "CATEGORICAL_INT"
    CATEGORICAL_BOOLEAN = "CATEGORICAL_BOOLEAN"
    CATEGORICAL_DATETIME = "CATEGORICAL_DATETIME"
    CATEGORICAL_TIMESTAMP = "CATEGORICAL_TIMESTAMP"
    OTHER_STRING = "OTHER_STRING"


@attrs.frozen(kw_only=True)
class ConfigurationEntry:
    """One field of the custom metadata: its display ``name``, its ``path`` in the
    ``custom_meta_data`` JSON (dot notation, ``a[0].b``), the value used when the path
    finds nothing, and its type."""

    name: str
    path: str
    default_value: Any
    value_data_type: ConfigurationValueDataType | str


@attrs.frozen(kw_only=True)
class ConfigurationSetRequest:
    """Request body of ``POST .../configuration/metadata``."""

    name: str
    configs: list[ConfigurationEntry]


@attrs.frozen(kw_only=True)
class ConfigurationData:
    """A custom metadata configuration of a dataset."""

    id: str
    name: str
    configs: list[ConfigurationEntry]
    created_at: int
    last_modified_at: int

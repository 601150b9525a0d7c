"""Resource handles: a Dataset and its lazy sub-resources, one module per API group."""

from lightly_async.resources.collaboration import Collaboration
from lightly_async.resources.dataset import Dataset
from lightly_async.resources.datasets import DatasetPager, Datasets
from lightly_async.resources.datasource import Datasource
from lightly_async.resources.embeddings import Embeddings
from lightly_async.resources.jobs import Jobs
from lightly_async.resources.mappings import Mappings
from lightly_async.resources.metadata import Metadata, MetadataConfigs
from lightly_async.resources.predictions import Predictions
from lightly_async.resources.runs import AllRuns, RunInfo, RunPager, Runs
from lightly_async.resources.samples import Samples
from lightly_async.resources.samplings import Samplings
from lightly_async.resources.tags import Tags
from lightly_async.resources.workers import Workers

__all__ = [
    "AllRuns",
    "Collaboration",
    "Dataset",
    "DatasetPager",
    "Datasets",
    "Datasource",
    "Embeddings",
    "Jobs",
    "Mappings",
    "Metadata",
    "MetadataConfigs",
    "Predictions",
    "RunInfo",
    "RunPager",
    "Runs",
    "Samples",
    "Samplings",
    "Tags",
    "Workers",
]

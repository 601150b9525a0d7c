"""Resource handles: a Dataset and its lazy sub-resources, one module per API group."""

from lightly_async.resources.dataset import Dataset
from lightly_async.resources.datasource import Datasource
from lightly_async.resources.jobs import Jobs
from lightly_async.resources.predictions import Predictions
from lightly_async.resources.samples import Samples
from lightly_async.resources.samplings import Samplings
from lightly_async.resources.tags import Tags

__all__ = ["Dataset", "Datasource", "Jobs", "Predictions", "Samples", "Samplings", "Tags"]

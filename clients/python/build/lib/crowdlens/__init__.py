"""crowdlens: differentially private answers about places, times and flows, from Python.

Answers come back as pandas DataFrames (`Answer`), with typed keys and the question in
``attrs``; ``Answer.to_geodataframe()`` adds their places with GeoPandas (the ``geo`` extra).
Long questions run as jobs (`Job`). See `Client`.
"""

from ._http import CrowdlensError, UnsupportedServer
from .client import EXPORT_FORMATS, SUPPORTED_API_VERSIONS, Client, Job
from .frames import MEASURES, Answer, Price

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Client",
    "CrowdlensError",
    "EXPORT_FORMATS",
    "Job",
    "MEASURES",
    "Price",
    "SUPPORTED_API_VERSIONS",
    "UnsupportedServer",
    "__version__",
]

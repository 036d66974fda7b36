"""The embedded reference server: a correct implementation of the contract, and the base every
deliberately broken or unusual test server is built from."""

from .app import ReferenceServer
from .limits import Limits
from .runner import BackgroundServer
from .store import Record, Store

__all__ = ["BackgroundServer", "Limits", "Record", "ReferenceServer", "Store"]

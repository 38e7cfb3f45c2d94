"""A fake Ozon Seller API for tests, the bench and demos: ``FakeOzon``."""

from ozondesk.ozon.fake.server import FAULTS, FakeOzon, Fault
from ozondesk.ozon.fake.world import FakeWorld

__all__ = ["FAULTS", "Fault", "FakeOzon", "FakeWorld"]

"""OzonDesk: a desktop workstation for Ozon customer-service teams."""

__version__ = "0.1.0"

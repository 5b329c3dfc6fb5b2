"""A client library for accessing GeminiDB Cassandra backup API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)

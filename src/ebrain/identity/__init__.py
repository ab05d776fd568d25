"""Users, groups, roles, passwords, API keys, web sessions and the first admin of a
workspace (the server's callers); see ebrain.identity.service. `Brain.identity` is the
workspace's instance."""

from ebrain.identity.model import ROLES, ApiKey, User
from ebrain.identity.service import Identity

__all__ = ["ROLES", "ApiKey", "Identity", "User"]

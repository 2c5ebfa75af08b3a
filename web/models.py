"""Models owned by the web app (the API's tokens live in web/api/models.py)."""

from web.api.models import ApiToken

__all__ = ["ApiToken"]

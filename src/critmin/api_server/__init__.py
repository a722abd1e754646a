"""critmin's REST API and dashboard server (FastAPI).

``critmin serve`` starts it; :func:`create_app` builds the application (tests, uvicorn's
``--factory``).  Routes live in :mod:`critmin.api_server.routes` (one module per resource),
shared dependencies in :mod:`~critmin.api_server.deps`, wire schemas in
:mod:`~critmin.api_server.schemas`, settings in :mod:`~critmin.api_server.config`.  See
``docs/api.md``.
"""

from critmin.api_server.app import create_app
from critmin.api_server.config import ServerConfig, get_config

__all__ = ["ServerConfig", "create_app", "get_config"]

"""Fixtures of the REST API tests: an app in this process, driven by FastAPI's TestClient."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from critmin.api_server import create_app

API_KEY = "test-key-0123456789"


@pytest.fixture(scope="module")
def app():
    """The app with an API key, jobs in threads (fast to start; the process pool has its own test)."""
    return create_app(api_key=API_KEY, job_mode="thread", workers=2)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def client_nokey():
    """An app with no API key configured: writes are refused with 403."""
    with TestClient(create_app(api_key=None, job_mode="thread")) as c:
        yield c

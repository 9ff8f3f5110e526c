import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def peers():
    """Real outputs of thop, fvcore and ptflops (tests/cost/fixtures/peers.json,
    made by gen_peers.py, which records the tools' versions)."""
    with open(os.path.join(ROOT, "tests", "cost", "fixtures", "peers.json")) as f:
        return json.load(f)

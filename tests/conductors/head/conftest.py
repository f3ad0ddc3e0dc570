"""The fsaverage head, built once per test session (about 2 s)."""

import pytest


@pytest.fixture(scope="session")
def head():
    from tmslab.conductors.head import fsaverage_head

    return fsaverage_head()

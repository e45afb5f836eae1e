from __future__ import annotations

import pytest

from tests.core.fakes import SleepRecorder


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()

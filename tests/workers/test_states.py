import pytest

from app.models import MediaAsset, MediaStatus
from app.models.media import InvalidTransition


@pytest.mark.parametrize(("start", "end"), [
    (MediaStatus.pending, MediaStatus.ready),
    (MediaStatus.ready, MediaStatus.processing),
    (MediaStatus.failed, MediaStatus.ready),
])
def test_states_only_move_along_the_diagram(start, end):
    asset = MediaAsset(status=start)
    with pytest.raises(InvalidTransition):
        asset.move_to(end)


def test_the_usual_path_is_allowed():
    asset = MediaAsset(status=MediaStatus.pending)
    for status in (MediaStatus.queued, MediaStatus.processing, MediaStatus.ready,
                   MediaStatus.queued, MediaStatus.processing, MediaStatus.failed,
                   MediaStatus.queued):
        asset.move_to(status)
    assert asset.status is MediaStatus.queued

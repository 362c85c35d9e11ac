"""Live frames through Redis: sealed with AES-GCM (apps.core.layer_sealing)."""

import time

import pytest

from apps.core import layer_sealing
from apps.core.layer_sealing import FrameRefused, SealedMsgPackSerializer

FRAME = {"type": "deliver", "text": '{"text": "likes herons"}', "exclude": None}


def test_a_frame_comes_back_as_it_was_sent_and_its_text_is_not_readable():
    serializer = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:k1"])

    sealed = serializer.serialize(FRAME)

    assert b"herons" not in sealed
    assert serializer.deserialize(sealed) == FRAME


def test_a_frame_sealed_before_a_key_rotation_opens_after_it():
    before = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:old"])
    after = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:new", "channel-layer:old"])

    assert after.deserialize(before.serialize(FRAME)) == FRAME
    with pytest.raises(FrameRefused):  # a process without the new key cannot read what it sealed
        before.deserialize(after.serialize(FRAME))


def test_a_frame_no_configured_key_opens_is_refused():
    sender = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:theirs"])
    receiver = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:ours"])

    with pytest.raises(FrameRefused):
        receiver.deserialize(sender.serialize(FRAME))


@pytest.mark.parametrize("position", [0, 5, 12, -1])
def test_a_tampered_frame_is_refused(position):
    serializer = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:k1"])
    sealed = bytearray(serializer.serialize(FRAME))
    sealed[position] ^= 0x01

    with pytest.raises(FrameRefused):
        serializer.deserialize(bytes(sealed))


def test_an_old_frame_replayed_is_refused(monkeypatch):
    serializer = SealedMsgPackSerializer(symmetric_encryption_keys=["channel-layer:k1"])
    sealed = serializer.serialize(FRAME)
    later = time.time() + layer_sealing.FRAME_MAX_AGE + 1
    monkeypatch.setattr(layer_sealing.time, "time", lambda: later)

    with pytest.raises(FrameRefused):
        serializer.deserialize(sealed)


@pytest.mark.redis
def test_the_redis_layer_seals_with_this_format(settings):
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["serializer_format"] == layer_sealing.FORMAT

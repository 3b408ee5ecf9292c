"""A small ctypes binding to libespeak-ng: synthesize in-process, samples via a callback.

The espeak-ng command line starts a process per call and reports no timings; the library
lets one process speak sentence after sentence and count the samples of each.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
ESPEAK_RATE = 1
ESPEAK_WORDGAP = 7  # espeakWORDGAP: pause between words, units of 10 ms
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
EE_OK = 0

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)
_lock = threading.Lock()  # libespeak-ng keeps global state: one synthesis at a time
_lib: ctypes.CDLL | None = None
_sample_rate = 0


class EspeakLibraryError(RuntimeError):
    pass


def _load() -> tuple[ctypes.CDLL, int]:
    global _lib, _sample_rate
    if _lib is None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            raise EspeakLibraryError(f"libespeak-ng not found: {exc}") from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                          ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint,
                                     ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                     ctypes.c_void_p, ctypes.c_void_p]
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                     ESPEAK_INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EspeakLibraryError("espeak_Initialize failed")
        _lib, _sample_rate = lib, rate
    return _lib, _sample_rate


def sample_rate() -> int:
    return _load()[1]


class Synthesizer:
    """Speak text with one voice and rate; each call hands 16-bit mono samples to `sink`."""

    def __init__(self, voice: str, rate: int, word_gap: int = 0) -> None:
        self.voice, self.rate, self.word_gap = voice, rate, word_gap

    def speak(self, text: str, sink: Callable[[bytes], None]) -> None:
        lib, _ = _load()

        def on_samples(wav, count, _events):
            if count > 0 and wav:
                sink(ctypes.string_at(wav, count * 2))
            return 0

        callback = _CALLBACK(on_samples)  # must outlive the synthesis call
        data = text.encode("utf-8") + b"\0"
        with _lock:
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(self.voice.encode()) != EE_OK:
                raise EspeakLibraryError(f"espeak-ng has no voice {self.voice!r}")
            lib.espeak_SetParameter(ESPEAK_RATE, self.rate, 0)
            lib.espeak_SetParameter(ESPEAK_WORDGAP, self.word_gap, 0)
            status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8,
                                      None, None)
            if status != EE_OK:
                raise EspeakLibraryError(f"espeak_Synth failed ({status})")

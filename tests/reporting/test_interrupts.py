"""How a run takes Ctrl+C and SIGTERM, in this process (fast): the first signal interrupts, every
later one is ignored, and a command that exits after never gets the default handler back
(issue 10, point 13)."""

from __future__ import annotations

import os
import signal

import pytest

from budgetopt.reporting.interrupts import Interrupted, signals_interrupt


@pytest.fixture
def own_handlers():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_after_the_first_signal_the_others_are_ignored_until_the_command_exits(own_handlers):
    # before: once the run's clean-up was done the default handler came back, and a Ctrl+C
    # arriving on the way out killed the command (waitpid −2, not 130)
    with pytest.raises(Interrupted), signals_interrupt(restore=False):
        os.kill(os.getpid(), signal.SIGINT)
    for sig in (signal.SIGINT, signal.SIGTERM):
        assert signal.getsignal(sig) is signal.SIG_IGN
        os.kill(os.getpid(), sig)  # harmless: ignored


def test_a_run_inside_a_command_leaves_the_signals_to_the_command(own_handlers):
    # the command handles them from its first moment; batch.run's own handling inside it must
    # not give a second signal back to the default handler when it ends
    with pytest.raises(Interrupted), signals_interrupt(restore=False), signals_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_without_a_signal_or_as_a_library_the_handlers_come_back(own_handlers):
    before = signal.getsignal(signal.SIGINT)
    with signals_interrupt(restore=False):
        pass
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(Interrupted), signals_interrupt():
        os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before

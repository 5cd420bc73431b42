"""Child processes that must not outlive the run that started them (parser workers, dbt)."""
import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies, so a run killed with SIGKILL
    leaves nothing behind. Elsewhere a no-op (callers also watch for their parent going away)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass

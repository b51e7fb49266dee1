"""How many Bitbucket requests the instance is answering at once, and the most since the last clear: what a test
reads to check a client's bound on concurrent requests (max_concurrency) over real connections."""

import threading


class InFlight:
    def __init__(self):
        self._lock = threading.Lock()
        self.now = self.peak = 0

    def __enter__(self):
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self.now -= 1

    def view(self):
        with self._lock:
            return {'now': self.now, 'peak': self.peak}

    def clear(self):
        """Start a new peak from the requests under way now."""
        with self._lock:
            self.peak = self.now

"""A delay before every Bitbucket answer: fixed, or uniform between min and max from a seeded generator."""

import random
import threading
import time


class Latency:
    def __init__(self):
        self._lock = threading.Lock()
        self.set({})

    def set(self, spec):
        """spec: {"fixed": s} or {"min": s, "max": s, "seed": n}; {} turns latency off. ValueError for a bad one."""
        low = float(spec.get('fixed', spec.get('min', 0)))
        high = float(spec.get('fixed', spec.get('max', low)))
        if low < 0 or high < low:
            raise ValueError('latency needs 0 <= min <= max')
        with self._lock:
            self.low, self.high, self.seed = low, high, spec.get('seed', 0)
            self._random = random.Random(self.seed)
        return self.view()

    def view(self):
        return {'min': self.low, 'max': self.high, 'seed': self.seed}

    def wait(self):
        with self._lock:
            delay = self.low if self.high == self.low else self._random.uniform(self.low, self.high)
        if delay:
            time.sleep(delay)

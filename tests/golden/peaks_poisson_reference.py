# Reference for the peak caller's Poisson scores: -log10 P(X >= k), X ~ Poisson(lambda),
# from scipy.stats.poisson. Reads "k lambda" lines on stdin, prints one score per line.
# Where scipy's survival function underflows (sf < 1e-280) the tail is summed from
# scipy's log pmf instead, so the far tail is checked too.
import math
import sys

import numpy as np
from scipy.special import logsumexp
from scipy.stats import poisson

for line in sys.stdin:
    k_text, lam_text = line.split()
    k, lam = int(k_text), float(lam_text)
    if k == 0:
        print(0.0)
        continue
    log_sf = poisson.logsf(k - 1, lam)
    if not math.isfinite(log_sf) or log_sf < math.log(1e-280):
        terms = poisson.logpmf(np.arange(k, k + 5000), lam)
        log_sf = logsumexp(terms)
    print(repr(max(0.0, -log_sf / math.log(10))))

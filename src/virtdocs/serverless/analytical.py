"""The steady-state analytical model of Mahmoudi & Khazaei (IEEE TCC 2020).

"Performance Modeling of Serverless Computing Platforms" models a scale-per-request
platform (AWS Lambda style) as a birth-death chain on the number n of instances
that have finished starting:

* Birth: with n instances, a request finds them all busy with the Erlang-B
  probability ``B(rho, n)`` (``rho = arrival_rate * warm_mean``) and becomes a cold
  start. A new instance joins once such a request has arrived *and* its cold start
  has finished, so the birth rate is that of two steps in series:
  ``1 / (1/(arrival_rate * B) + cold_mean)``.
* Death: newest-first routing gives the k-th instance the requests the first
  k-1 turned away and it did not: ``arrival_rate * (B(k-1) - B(k))``. It expires
  when a gap between its requests exceeds the keep-alive; the model turns that
  into a mean time to expiry, and the chain's death rate in state n is the sum
  of the n instances' expiry rates.
* In state n, requests in cold start add ``arrival_rate * B * cold_mean``
  instances (Little's law) to the n started ones.

The stationary distribution of a birth-death chain follows from detailed balance,
``p[n+1] * death[n+1] = p[n] * birth[n]``, so no linear solve is needed. The
authors' reference code is ``pacsltk.perfmodel.get_sls_warm_count_dist``
(PyPI ``pacsltk`` 0.2.0; https://github.com/pacslab/serverless-performance-modeling);
this is an independent implementation of the same equations in plain Python,
and ``tests/serverless/test_agreement.py`` checks it against numbers from theirs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from virtdocs.serverless.config import at_least_one, non_negative, positive


def erlang_b(load: float, servers: int) -> float:
    """Blocking probability of an M/G/m/m loss system with offered ``load`` (Erlangs).

    Uses the stable recurrence ``1/B(m) = 1 + (m / load) / B(m-1)``.

    >>> round(erlang_b(1.0, 1), 4)   # one server, one Erlang: blocked half the time
    0.5
    >>> round(erlang_b(2.0, 3), 4)
    0.2105
    """
    inverse = 1.0
    for m in range(1, servers + 1):
        inverse = 1.0 + inverse * (m / load)
    return 1.0 / inverse


@dataclass(frozen=True, slots=True)
class SteadyState:
    """The model's long-run averages (same meaning as in ``SimulationResult``)."""

    cold_start_probability: float
    rejection_probability: float
    average_instances: float
    average_running: float
    average_idle: float
    mean_response_time: float

    @property
    def utilization(self) -> float:
        return self.average_running / self.average_instances if self.average_instances else 0.0


_TINY = 1e-300  # stands in for a rate that underflowed to zero


def _expiry_rate(share: float, keep_alive: float, warm_mean: float) -> float:
    """Expiry rate of an instance that receives ``share`` requests per second.

    A gap longer than the keep-alive ends the instance; the number of gaps until
    that happens is geometric with success ``p = exp(-share * keep_alive)``. The
    instance lives the keep-alive plus ``1/p - 1`` shorter gaps, each of mean
    ``E[X; X < T]`` with ``T = keep_alive + warm_mean`` (the model's choice).
    """
    if share <= 0.0:
        return 1.0 / keep_alive if keep_alive > 0 else math.inf
    p_expire = math.exp(-share * keep_alive)
    horizon = keep_alive + warm_mean
    short_gap = -horizon * math.exp(-share * horizon) + (1 - math.exp(-share * horizon)) / share
    # 1 / (keep_alive + (1/p - 1) * short_gap), multiplied through by p so that a
    # p that underflows gives a rate of 0 instead of an overflow.
    denominator = p_expire * keep_alive + (1.0 - p_expire) * short_gap
    return p_expire / denominator if denominator > 0 else math.inf


def steady_state(
    arrival_rate: float,
    warm_mean: float,
    cold_mean: float,
    keep_alive: float,
    max_concurrency: int = 1000,
) -> SteadyState:
    """Solve the model for one set of parameters.

    >>> model = steady_state(0.9, 2.016, 2.163, 600)
    >>> round(model.average_running, 2)   # Little's law: 0.9 * ~2.016
    1.81
    >>> 0 < model.cold_start_probability < 0.01
    True
    """
    positive("arrival_rate", arrival_rate, "requests per second")
    positive("warm_mean", warm_mean, "seconds")
    positive("cold_mean", cold_mean, "seconds")
    non_negative("keep_alive", keep_alive, "seconds")
    at_least_one("max_concurrency", max_concurrency)
    load = arrival_rate * warm_mean

    cold_rate = 1.0 / cold_mean
    # Walk n = 0, 1, ... with log-weights (rates span hundreds of orders of
    # magnitude at high load), until the weights are negligible past the mode.
    log_weights = [0.0]
    blocking = [1.0]  # B(rho, 0) = 1: with no instance, every request is cold
    death_total = 0.0
    n = 0
    while n < max_concurrency:
        n += 1
        blocked = erlang_b(load, n)
        share = arrival_rate * (blocking[-1] - blocked)
        death_total += _expiry_rate(share, keep_alive, warm_mean)
        cold_starts = arrival_rate * blocking[-1]
        birth = cold_starts * cold_rate / (cold_starts + cold_rate)  # arrival, then start-up
        if birth <= 0.0 or death_total == math.inf:
            break
        step = math.log(birth) - math.log(max(death_total, _TINY))
        log_weights.append(log_weights[-1] + step)
        blocking.append(blocked)
        if step < 0 and log_weights[-1] < max(log_weights) - 50:
            break
    peak = max(log_weights)
    weights = [math.exp(w - peak) for w in log_weights]
    total = sum(weights)
    probabilities = [w / total for w in weights]

    cold = rejected = started = warm_busy = cold_busy = response = 0.0
    for state, (p, b) in enumerate(zip(probabilities, blocking, strict=True)):
        at_limit = state == max_concurrency
        # In the last state a blocked request is throttled, not a cold start.
        cold_share, reject_share = (0.0, b) if at_limit else (b, 0.0)
        cold += p * cold_share
        rejected += p * reject_share
        started += p * state
        warm_busy += p * arrival_rate * (1 - b) * warm_mean
        cold_busy += p * arrival_rate * cold_share * cold_mean
        accepted = 1 - reject_share
        mean = ((1 - b) * warm_mean + cold_share * cold_mean) / accepted if accepted else 0.0
        response += p * mean
    return SteadyState(
        cold_start_probability=cold,
        rejection_probability=rejected,
        average_instances=started + cold_busy,
        average_running=warm_busy + cold_busy,
        average_idle=max(started - warm_busy, 0.0),
        mean_response_time=response,
    )

"""Our simulator against the analytical model (IEEE TCC 2020) and SimFaaS 0.2.2."""

from __future__ import annotations

import math

import pytest

from virtdocs.errors import UserError
from virtdocs.serverless import PlatformConfig, simulate_poisson
from virtdocs.serverless.analytical import erlang_b, steady_state
from virtdocs.serverless.reference import run_simfaas

# The parameters of SimFaaS's own example (warm 2.016 s, cold 2.163 s, 10-minute keep-alive).
CONFIG = PlatformConfig(warm_mean=2.016, cold_mean=2.163, keep_alive=600)


@pytest.mark.parametrize(("load", "servers"), [(0.5, 1), (2.0, 3), (7.3, 10), (30.0, 25)])
def test_erlang_b_matches_the_textbook_formula(load: float, servers: int) -> None:
    # B(a, m) = (a^m / m!) / sum_{k=0..m} a^k / k!
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    assert erlang_b(load, servers) == pytest.approx(terms[-1] / sum(terms))


# (arrival_rate, warm_mean, cold_mean, keep_alive, max_concurrency) -> average instances,
# running, idle, cold-start probability, mean response time, rejection probability, as
# computed by the authors' code: pacsltk 0.2.0 (PyPI), perfmodel.get_sls_warm_count_dist,
# with its defaults (maximum_concurrency=1000, faster_solution=True) unless given;
# instances are its avg_server_count_total.
PACSLTK_0_2_0 = [
    ((0.9, 2.016, 2.163, 600, 1000), (7.64964, 1.81456, 5.83508, 0.00119316, 2.01618, 0.0)),
    ((0.3, 2.016, 2.163, 600, 1000), (4.32478, 0.604915, 3.71987, 0.00259734, 2.01638, 0.0)),
    ((3.0, 2.016, 2.163, 600, 1000), (15.9135, 6.04822, 9.86526, 0.000508684, 2.01607, 0.0)),
    ((100, 2, 25, 600, 1000), (251.206, 200.149, 51.0569, 6.47079e-05, 2.00149, 0.0)),
    ((0.5, 1.0, 3.0, 60, 1000), (3.10896, 0.518188, 2.59078, 0.0181882, 1.03638, 0.0)),
    ((5, 0.5, 2, 30, 1000), (7.82049, 2.54219, 5.2783, 0.0056253, 0.508438, 0.0)),
    ((4.0, 1.0, 1.0, 1e9, 5), (5.0, 3.20373, 1.79627, 0.0, 1.0, 0.199067)),
    ((8.0, 1.0, 2.0, 120, 10), (10.0, 7.02671, 2.97329, 0.0, 1.0, 0.121661)),
]


@pytest.mark.parametrize(("parameters", "expected"), PACSLTK_0_2_0)
def test_model_matches_the_authors_code(
    parameters: tuple[float, float, float, float, int], expected: tuple[float, ...]
) -> None:
    rate, warm, cold, keep_alive, limit = parameters
    model = steady_state(rate, warm, cold, keep_alive, max_concurrency=limit)
    got = (
        model.average_instances,
        model.average_running,
        model.average_idle,
        model.cold_start_probability,
        model.mean_response_time,
        model.rejection_probability,
    )
    assert got == pytest.approx(expected, rel=2e-5, abs=1e-12)


def test_model_obeys_littles_law_and_bounds() -> None:
    model = steady_state(0.9, 2.016, 2.163, 600)
    assert model.average_running == pytest.approx(0.9 * model.mean_response_time)
    assert model.average_idle == pytest.approx(model.average_instances - model.average_running)
    assert 0 < model.utilization < 1
    assert model.rejection_probability == 0.0


def test_model_rejects_at_the_concurrency_limit() -> None:
    model = steady_state(4.0, 1.0, 1.0, 1e9, max_concurrency=5)
    # Instances never expire, so the chain sits at the limit: an M/M/5/5 loss system.
    assert model.rejection_probability == pytest.approx(erlang_b(4.0, 5), rel=1e-6)
    assert model.cold_start_probability == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("rate", [0.3, 0.9, 3.0])
def test_simulation_agrees_with_the_analytical_model(rate: float) -> None:
    model = steady_state(rate, CONFIG.warm_mean, CONFIG.cold_mean, CONFIG.keep_alive)
    result = simulate_poisson(CONFIG, rate, 40_000, seed=2)
    assert result.average_running == pytest.approx(model.average_running, rel=0.03)
    assert result.average_instances == pytest.approx(model.average_instances, rel=0.08)
    # Cold starts are rare (tens per run) and the run starts from zero instances,
    # so allow the start-up cold starts plus four standard deviations of a Poisson count.
    expected = model.cold_start_probability * result.requests
    slack = model.average_instances + 4 * math.sqrt(expected)
    assert abs(result.cold_starts - expected) <= slack


def test_simulation_agrees_with_simfaas() -> None:
    ours = simulate_poisson(CONFIG, 0.9, 15_000, seed=4).summary()
    theirs = run_simfaas(CONFIG, 0.9, 15_000, seed=4)
    assert ours["requests"] == pytest.approx(theirs["requests"], rel=0.03)
    for key in ("average_running", "average_instances", "average_idle", "utilization"):
        assert ours[key] == pytest.approx(theirs[key], rel=0.08), key
    # About 20 cold starts each: compare counts with Poisson-sized slack.
    ours_cold = ours["cold_start_probability"] * ours["requests"]
    theirs_cold = theirs["cold_start_probability"] * theirs["requests"]
    assert abs(ours_cold - theirs_cold) <= 4 * math.sqrt(ours_cold + theirs_cold)


def test_simfaas_bridge_refuses_what_simfaas_cannot_model() -> None:
    with pytest.raises(UserError, match="newest-first routing only"):
        run_simfaas(PlatformConfig(1.0, 2.0, routing="random"), 1.0, 10)

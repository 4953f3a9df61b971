"""Run SimFaaS, the reference simulator, on the same parameters as ours.

SimFaaS (Mahmoudi & Khazaei, CLOSER 2021; PyPI ``simfaas``) is the simulator the
authors validated against AWS Lambda. It is a development dependency (the
``[dev]`` extra pins 0.2.2), imported only when a comparison asks for it. It
draws from NumPy's global generator, so it is seeded here.
"""

from __future__ import annotations

from typing import Any

from virtdocs.errors import UserError
from virtdocs.serverless.config import PlatformConfig


def run_simfaas(
    config: PlatformConfig, arrival_rate: float, duration: float, seed: int = 0
) -> dict[str, float]:
    """Simulate with SimFaaS 0.2.2; keys match :meth:`SimulationResult.summary`."""
    if config.instance_concurrency != 1 or config.routing != "newest":
        raise UserError("SimFaaS models one request per instance and newest-first routing only")
    try:
        import numpy as np
        from simfaas.ServerlessSimulator import ServerlessSimulator
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise UserError(f"SimFaaS is not installed ({error}); pip install simfaas==0.2.2") from None
    np.random.seed(seed)
    simulator: Any = ServerlessSimulator(
        arrival_rate=arrival_rate,
        warm_service_rate=1 / config.warm_mean,
        cold_service_rate=1 / config.cold_mean,
        expiration_threshold=config.keep_alive,
        max_time=duration,
        maximum_concurrency=config.max_concurrency,
    )
    simulator.generate_trace()
    raw = simulator.get_result_dict()
    running = float(raw["inst_running_count_avg"])
    instances = float(raw["inst_count_avg"])
    return {
        "requests": int(raw["reqs_total"]),
        "cold_start_probability": float(raw["prob_cold"]),
        "rejection_probability": float(raw["prob_reject"]),
        "average_instances": instances,
        "average_running": running,
        "average_idle": float(raw["inst_idle_count_avg"]),
        "utilization": running / instances if instances else 0.0,
        "average_lifespan": float(raw["lifespan_avg"]),
    }

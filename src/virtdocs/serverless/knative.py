"""A Knative-style service on the simulated cluster: a Deployment the KPA scales to zero.

Knative Serving turns a container image into a service that scales with its
requests, down to zero. Here that is a Deployment plus a ClusterIP Service in
:class:`virtdocs.kubernetes.Cluster`, and the :class:`~virtdocs.serverless.kpa_sim.Autoscaler`
(Knative's decision and scale-to-zero rules) setting the Deployment's replicas
through ``kubectl scale``, once per simulated second. Pods start as the cluster
starts them (scheduling, image pull, container start), so a scale from zero
waits for real pod start-up; on a :class:`~virtdocs.serverless.virtual_node.VirtualNode`
they need no node at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster
from virtdocs.serverless.config import positive
from virtdocs.serverless.kpa import KpaConfig
from virtdocs.serverless.kpa_sim import Autoscaler
from virtdocs.serverless.virtual_node import TAINT_KEY


@dataclass(frozen=True, slots=True)
class ServiceSample:
    """One second of a Knative-style service on the cluster."""

    time: float
    concurrency: float
    desired: int
    ready: int


class KnativeService:
    """A request-driven, scale-to-zero service made of ordinary Kubernetes objects.

    ``virtual=True`` adds the toleration and node selector that send its pods to
    a virtual node.
    """

    def __init__(
        self,
        cluster: Cluster,
        name: str,
        image: str,
        *,
        cpu: str = "250m",
        memory: str = "512Mi",
        config: KpaConfig | None = None,
        virtual: bool = True,
    ) -> None:
        self.cluster = cluster
        self.name = name
        self.autoscaler = Autoscaler(config, initial_pods=0)
        cluster.apply(self.manifests(name, image, cpu=cpu, memory=memory, virtual=virtual))
        self._replicas = 0

    @staticmethod
    def manifests(name: str, image: str, *, cpu: str, memory: str, virtual: bool) -> str:
        """The Deployment (at zero replicas) and Service that make up the service."""
        labels = {"app": name}
        pod_spec: dict[str, Any] = {
            "containers": [
                {
                    "name": "user-container",
                    "image": image,
                    "ports": [{"containerPort": 8080}],
                    "resources": {"requests": {"cpu": cpu, "memory": memory}},
                }
            ]
        }
        if virtual:
            pod_spec["nodeSelector"] = {"type": "virtual-kubelet"}
            pod_spec["tolerations"] = [
                {"key": TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}
            ]
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
        }
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name},
            "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]},
        }
        return yaml.safe_dump_all([deployment, service], sort_keys=False)

    def ready_pods(self) -> int:
        deployment = self.cluster.store.get("deployments", "default", self.name)
        return int((deployment.get("status") or {}).get("readyReplicas") or 0)

    def run(self, rates: Sequence[float], service_time: float) -> list[ServiceSample]:
        """Offer ``rates[t]`` requests per second for each second t; scale as Knative would."""
        positive("service_time", service_time, "seconds")
        samples = []
        for second, rate in enumerate(rates):
            if not (math.isfinite(rate) and rate >= 0):
                raise UserError(f"rates[{second}] = {rate!r}: a rate must be a finite number >= 0")
            now = self.cluster.now
            ready = self.ready_pods()
            concurrency = rate * service_time
            desired = self.autoscaler.observe(now, concurrency, ready, self._replicas)
            if desired != self._replicas:
                self.cluster.kubectl(f"scale deployment/{self.name} --replicas={desired}")
                self._replicas = desired
            samples.append(ServiceSample(now, concurrency, desired, ready))
            self.cluster.advance(1.0)
        return samples

"""Every default the simulated cluster uses, in one place, each with its documented source.

Tests in ``tests/kubernetes/test_defaults.py`` check these against the documents.
"""

from __future__ import annotations

from typing import Final

# -- Deployment (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/) -------
#: "Max Surge … defaults to 25%", absolute number calculated by rounding up.
DEPLOYMENT_MAX_SURGE: Final = "25%"
#: "Max Unavailable … defaults to 25%", absolute number calculated by rounding down.
DEPLOYMENT_MAX_UNAVAILABLE: Final = "25%"
#: ".spec.revisionHistoryLimit … By default, 10 old ReplicaSets will be kept".
DEPLOYMENT_REVISION_HISTORY_LIMIT: Final = 10
#: ".spec.progressDeadlineSeconds … defaults to 600".
DEPLOYMENT_PROGRESS_DEADLINE_SECONDS: Final = 600
DEPLOYMENT_REPLICAS: Final = 1

# -- Pod (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/) ------------------
#: "the default grace period is 30 seconds" (terminationGracePeriodSeconds).
POD_TERMINATION_GRACE_SECONDS: Final = 30
#: The DefaultTolerationSeconds admission plugin tolerates not-ready/unreachable for 300 s
#: (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#defaulttolerationseconds).
DEFAULT_TOLERATION_SECONDS: Final = 300
#: Kubelet restart back-off: "exponential back-off delay (10s, 20s, 40s, …), that is capped
#: at five minutes"; reset after "10 minutes" of running without problems.
RESTART_BACKOFF_INITIAL: Final = 10.0
RESTART_BACKOFF_MAX: Final = 300.0
RESTART_BACKOFF_RESET: Final = 600.0

# -- Node and kubelet ----------------------------------------------------------------------------
#: kubelet --max-pods default
#: (https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ : maxPods 110).
NODE_MAX_PODS: Final = 110
#: kube-controller-manager --node-monitor-grace-period: how long a silent node stays Ready;
#: 40 s through v1.31, 50 s from v1.32 (kubernetes/kubernetes#121793); we model v1.31
#: (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
NODE_MONITOR_GRACE_SECONDS: Final = 40.0
#: kubelet nodeStatusUpdateFrequency / heartbeat (10 s in the kubelet config reference).
NODE_HEARTBEAT_SECONDS: Final = 10.0
#: Simulated node size when ``Cluster(nodes=3)`` is given just a count (a model choice).
NODE_CPU: Final = "2"
NODE_MEMORY: Final = "4Gi"
NODE_KUBELET_VERSION: Final = "v1.31.0"

# -- Scheduler (pkg/scheduler/framework/plugins/noderesources; pkg/scheduler/util) ------------
#: LeastAllocated scores pods without requests as if they asked for 100m CPU and 200 MiB
#: (DefaultMilliCPURequest, DefaultMemoryRequest in pkg/scheduler/util/pod_resources.go).
NON_ZERO_MILLI_CPU: Final = 100
NON_ZERO_MEMORY: Final = 200 * 1024 * 1024
#: numFeasibleNodesToFind: below 100 nodes score them all; else 50 − n/125 percent, >= 5 %,
#: never fewer than 100 nodes (https://kubernetes.io/docs/concepts/scheduling-eviction/scheduler-perf-tuning/).
MIN_FEASIBLE_NODES_TO_FIND: Final = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: Final = 5
SCHEDULER_NAME: Final = "default-scheduler"

# -- Services (https://kubernetes.io/docs/concepts/services-networking/service/) ---------------
#: kube-apiserver --service-node-port-range default.
NODE_PORT_RANGE: Final = (30000, 32767)
#: kubeadm's default --service-cidr.
SERVICE_CIDR: Final = "10.96.0.0/12"
#: Addresses a simulated cloud load balancer hands out (TEST-NET-3, RFC 5737).
LOAD_BALANCER_POOL: Final = "203.0.113.0/24"
#: Seconds the cloud-controller-manager model takes to provision a load balancer.
LOAD_BALANCER_PROVISION_SECONDS: Final = 5.0

# -- Simulated kubelet timings (model choices, not Kubernetes defaults) ---------------------
#: Seconds to pull an image not yet on the node, and to start a container.
IMAGE_PULL_SECONDS: Final = 2.0
CONTAINER_START_SECONDS: Final = 1.0
#: Seconds the container takes to stop after SIGTERM (well inside the grace period).
CONTAINER_STOP_SECONDS: Final = 1.0

"""Manifests the cluster tests share."""

from __future__ import annotations


def deployment(
    *,
    name: str = "web",
    replicas: int = 4,
    image: str = "nginx:1.26",
    strategy: str = "",
    extra_spec: str = "",
    container_extra: str = "",
) -> str:
    strategy_block = f"  strategy:\n    type: {strategy}\n" if strategy else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
{strategy_block}{extra_spec}  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports:
        - containerPort: 80
{container_extra}"""


def service(name: str = "web", kind: str = "ClusterIP") -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: {kind}
  selector:
    app: {name}
  ports:
  - port: 80
"""


def pod(name: str, command: str = "", restart: str = "Always") -> str:
    command_block = f"    command: {command}\n" if command else ""
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: {restart}
  containers:
  - name: main
    image: busybox:1.36
{command_block}"""

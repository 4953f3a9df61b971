"""Tests for stage 3b: Kubernetes."""

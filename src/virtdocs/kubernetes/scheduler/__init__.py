"""kube-scheduler: a queue, Filter and Score plugins with weights, and binding."""

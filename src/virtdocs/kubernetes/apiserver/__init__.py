"""The API server: resource registry, defaulting, an object store with watch (etcd's role)."""

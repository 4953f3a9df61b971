"""kubectl's commands over a simulated cluster: parse, call the API, print as kubectl does.

Errors read as kubectl's: ``Error from server (NotFound): pods "x" not found``,
``error: the server doesn't have a resource type "foo"``; exit code 1.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from virtdocs.errors import UserError
from virtdocs.kubernetes.apiserver.errors import ApiError
from virtdocs.kubernetes.apiserver.resources import RESOURCES, Resource, lookup
from virtdocs.kubernetes.clock import parse_rfc3339
from virtdocs.kubernetes.controllers.base import controller_of
from virtdocs.kubernetes.controllers.deployment import (
    HASH_LABEL,
    NOT_COPIED,
    revision_of,
)
from virtdocs.kubernetes.kubectl.describe import DESCRIBERS
from virtdocs.kubernetes.kubectl.flags import Flag, FlagError, parse
from virtdocs.kubernetes.kubectl.output import KubectlOutput
from virtdocs.kubernetes.kubectl.printers import EVENT_WIDE_COLUMNS, TABLES
from virtdocs.kubernetes.kubectl.tabwriter import tabwrite
from virtdocs.kubernetes.kubectl.yaml_printer import to_yaml
from virtdocs.kubernetes.selectors import parse_field_selector, parse_label_selector

if TYPE_CHECKING:
    from virtdocs.kubernetes.cluster import Cluster

Object = dict[str, Any]

_NAMESPACE = Flag("namespace", "n", default="default")
_OUTPUT_FORMATS = (
    "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
    "jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
)


class KubectlError(Exception):
    """kubectl's own ``error: …`` (client side); the text may span lines."""


def _resource(word: str) -> Resource:
    resource = lookup(word)
    if resource is None:
        raise KubectlError(f'error: the server doesn\'t have a resource type "{word}"')
    return resource


def _label(resource: Resource, name: str) -> str:
    """``deployment.apps/web``: how kubectl names an object it acted on."""
    group = f".{resource.group}" if resource.group else ""
    return f"{resource.singular}{group}/{name}"


def _targets(args: Sequence[str]) -> list[tuple[Resource, list[str]]]:
    """``pods``, ``pods a b``, ``pod/a deploy/b``, ``po,svc`` → [(resource, names)]."""
    if not args:
        raise KubectlError(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a '
            "complete list of supported resources.\n\n"
            "error: Required resource not specified.\n"
            'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. '
            "kubectl explain pods).\n"
            "See 'kubectl get -h' for help and examples"
        )
    if "/" in args[0]:
        found: list[tuple[Resource, list[str]]] = []
        for arg in args:
            kind, _, name = arg.partition("/")
            if not name:
                raise KubectlError(
                    "error: arguments in resource/name form must have a single resource and name"
                )
            found.append((_resource(kind), [name]))
        return found
    return [(_resource(word), list(args[1:])) for word in args[0].split(",")]


class Kubectl:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.out: list[str] = []
        self.err: list[str] = []

    # -- get -----------------------------------------------------------------------------------
    def get(self, words: Sequence[str]) -> int:
        args, flags = parse(
            "get",
            words,
            [
                _NAMESPACE,
                Flag("output", "o"),
                Flag("selector", "l"),
                Flag("field-selector"),
                Flag("all-namespaces", "A", boolean=True),
                Flag("show-labels", boolean=True),
                Flag("sort-by"),
            ],
        )
        output = flags["output"]
        if output not in ("", "wide", "yaml", "json", "name"):
            raise KubectlError(
                f'error: unable to match a printer suitable for the output format "{output}", '
                f"allowed formats are: {_OUTPUT_FORMATS}"
            )
        every_namespace = flags["all-namespaces"] == "true"
        namespace = None if every_namespace else flags["namespace"]
        labels = parse_label_selector(flags["selector"]) if flags["selector"] else None
        fields = parse_field_selector(flags["field-selector"]) if flags["field-selector"] else None
        targets = _targets(args)
        several = len(targets) > 1
        objects: list[tuple[Resource, Object]] = []
        status = 0
        for resource, names in targets:
            if names:
                for name in names:
                    try:
                        objects.append(
                            (
                                resource,
                                self.store.get(resource, namespace or flags["namespace"], name),
                            )
                        )
                    except ApiError as error:
                        self.err.append(error.kubectl_text)
                        status = 1
            else:
                found = self.store.list(
                    resource,
                    namespace if resource.namespaced else None,
                    labels=labels,
                    fields=fields,
                )
                if flags["sort-by"]:
                    found.sort(key=lambda obj: _sort_key(obj, flags["sort-by"]))
                objects += [(resource, obj) for obj in found]
        single = len(targets) == 1 and len(targets[0][1]) == 1 and not several
        if output in ("yaml", "json"):
            items = [obj for _, obj in objects]
            if not items and status:
                return status
            document: Object = (
                items[0]
                if single and items
                else {
                    "apiVersion": "v1",
                    "items": items,
                    "kind": "List",
                    "metadata": {"resourceVersion": ""},
                }
            )
            if output == "json":
                self.out.append(json.dumps(document, indent=4, sort_keys=True))
            else:
                self.out.append(to_yaml(document))
            return status
        if output == "name":
            self.out += [_label(resource, obj["metadata"]["name"]) for resource, obj in objects]
            return status
        if not objects:
            if not status:
                scoped = namespace is not None and all(r.namespaced for r, _ in targets)
                self.err.append(
                    f"No resources found in {namespace} namespace."
                    if scoped
                    else "No resources found"
                )
            return status
        tables: list[str] = []
        for resource in dict.fromkeys(r for r, _ in objects):
            rows = [obj for r, obj in objects if r == resource]
            tables.append(
                self._table(
                    resource,
                    rows,
                    wide=output == "wide",
                    every_namespace=every_namespace,
                    prefix=several,
                    show_labels=flags["show-labels"] == "true",
                )
            )
        self.out.append("\n\n".join(tables))
        return status

    def _table(
        self,
        resource: Resource,
        rows: list[Object],
        *,
        wide: bool,
        every_namespace: bool,
        prefix: bool,
        show_labels: bool,
    ) -> str:
        columns, wide_columns, printer = TABLES[resource.name]
        header = list(columns) + (list(wide_columns) if wide else [])
        if resource.name == "events" and wide:
            header = list(EVENT_WIDE_COLUMNS)
        if show_labels:
            header.append("LABELS")
        if every_namespace and resource.namespaced:
            header.insert(0, "NAMESPACE")
        lines = ["\t".join(header)]
        for obj in rows:
            row = printer(obj, self.cluster.now, wide)
            if prefix:
                row[0] = _label(resource, row[0])
            if show_labels:
                row.append(
                    ",".join(
                        f"{k}={v}" for k, v in sorted((obj["metadata"].get("labels") or {}).items())
                    )
                    or "<none>"
                )
            if every_namespace and resource.namespaced:
                row.insert(0, obj["metadata"]["namespace"])
            lines.append("\t".join(row))
        return tabwrite(lines, minwidth=6, padding=3)

    # -- describe --------------------------------------------------------------------------------
    def describe(self, words: Sequence[str]) -> int:
        args, flags = parse("describe", words, [_NAMESPACE, Flag("selector", "l")])
        status = 0
        texts: list[str] = []
        for resource, names in _targets(args):
            describer = DESCRIBERS.get(resource.name)
            if describer is None:
                raise KubectlError(
                    f'error: describe is not supported for "{resource.name}" in this simulator'
                )
            if names:
                objects = []
                for name in names:
                    try:
                        objects.append(self.store.get(resource, flags["namespace"], name))
                    except ApiError as error:
                        self.err.append(error.kubectl_text)
                        status = 1
            else:
                labels = parse_label_selector(flags["selector"]) if flags["selector"] else None
                objects = self.store.list(
                    resource, flags["namespace"] if resource.namespaced else None, labels=labels
                )
            texts += [describer(self.cluster, obj) for obj in objects]
        if texts:
            self.out.append("\n\n\n".join(texts))
        return status

    # -- api-resources -----------------------------------------------------------------------------
    def api_resources(self, words: Sequence[str]) -> int:
        args, flags = parse(
            "api-resources",
            words,
            [Flag("namespaced", default=""), Flag("no-headers", boolean=True)],
        )
        if args:
            raise KubectlError(f"error: unexpected arguments: {list(args)}")
        rows = ["NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND"]
        ordered = sorted(RESOURCES, key=lambda r: (r.group != "", r.group, r.name))
        for r in ordered:
            if flags["namespaced"] and str(r.namespaced).lower() != flags["namespaced"]:
                continue
            rows.append(
                f"{r.name}\t{','.join(r.shortnames)}\t{r.api_version}\t{str(r.namespaced).lower()}\t{r.kind}"
            )
        if flags["no-headers"] == "true":
            rows = rows[1:]
        self.out.append(tabwrite(rows, minwidth=6, padding=3))
        return 0

    # -- changes -----------------------------------------------------------------------------------
    def _one(self, args: Sequence[str], namespace: str, verb: str) -> tuple[Resource, Object]:
        targets = _targets(args)
        if len(targets) != 1 or len(targets[0][1]) != 1:
            raise KubectlError(
                f"error: {verb} expects exactly one resource, as TYPE NAME or TYPE/NAME"
            )
        resource, names = targets[0]
        return resource, self.store.get(resource, namespace, names[0])

    def scale(self, words: Sequence[str]) -> int:
        args, flags = parse("scale", words, [_NAMESPACE, Flag("replicas", default="")])
        if not flags["replicas"]:
            raise KubectlError('error: required flag(s) "replicas" not set')
        if flags["replicas"].startswith("-") and flags["replicas"][1:].isdigit():
            raise KubectlError(
                "error: The --replicas=COUNT flag is required, and COUNT must be greater than or "
                "equal to 0"
            )
        if not flags["replicas"].isdigit():
            raise KubectlError(
                f'error: invalid argument "{flags["replicas"]}" for "--replicas" flag: '
                f'strconv.ParseInt: parsing "{flags["replicas"]}": invalid syntax'
            )
        resource, obj = self._one(args, flags["namespace"], "scale")
        if resource.name not in ("deployments", "replicasets"):
            raise KubectlError(f'error: no scaler has been implemented for "{resource.kind}"')
        obj["spec"]["replicas"] = int(flags["replicas"])
        self.store.update(obj)
        self.cluster.settle()
        self.out.append(f"{_label(resource, obj['metadata']['name'])} scaled")
        return 0

    def set(self, words: Sequence[str]) -> int:
        if not words or words[0] != "image":
            raise KubectlError('error: this simulator supports "kubectl set image" only')
        args, flags = parse("set image", words[1:], [_NAMESPACE])
        pairs = [a for a in args if "=" in a]
        resource, obj = self._one(
            [a for a in args if "=" not in a], flags["namespace"], "set image"
        )
        if not pairs:
            raise KubectlError("error: at least one image update is required")
        template = (
            obj["spec"]["template"]["spec"] if "template" in obj.get("spec", {}) else obj["spec"]
        )
        names = {c["name"]: c for c in template["containers"]}
        for pair in pairs:
            name, _, image = pair.partition("=")
            if name == "*":
                for container in names.values():
                    container["image"] = image
            elif name not in names:
                raise KubectlError(f'error: unable to find container named "{name}"')
            else:
                names[name]["image"] = image
        self.store.update(obj)
        self.cluster.settle()
        self.out.append(f"{_label(resource, obj['metadata']['name'])} image updated")
        return 0

    def label(self, words: Sequence[str]) -> int:
        args, flags = parse("label", words, [_NAMESPACE, Flag("overwrite", boolean=True)])
        changes = [a for a in args if "=" in a or a.endswith("-")]
        resource, obj = self._one(
            [a for a in args if a not in changes], flags["namespace"], "label"
        )
        if not changes:
            raise KubectlError("error: at least one label update is required")
        labels = obj["metadata"].setdefault("labels", {})
        removed = False
        for change in changes:
            if change.endswith("-") and "=" not in change:
                removed = labels.pop(change[:-1], None) is not None or removed
                continue
            key, _, value = change.partition("=")
            if key in labels and labels[key] != value and flags["overwrite"] != "true":
                raise KubectlError(
                    f"error: '{key}' already has a value ({labels[key]}), and --overwrite is false"
                )
            labels[key] = value
        self.store.update(obj)
        self.cluster.settle()
        verb = "unlabeled" if removed and all(c.endswith("-") for c in changes) else "labeled"
        self.out.append(f"{_label(resource, obj['metadata']['name'])} {verb}")
        return 0

    def delete(self, words: Sequence[str]) -> int:
        args, flags = parse(
            "delete",
            words,
            [
                _NAMESPACE,
                Flag("selector", "l"),
                Flag("cascade", default="background"),
                Flag("wait", boolean=True, default="true"),
                Flag("all", boolean=True),
            ],
        )
        targets: list[tuple[Resource, str]] = []
        status = 0
        for resource, names in _targets(args):
            if names:
                targets += [(resource, n) for n in names]
            elif flags["selector"] or flags["all"] == "true":
                labels = parse_label_selector(flags["selector"]) if flags["selector"] else None
                targets += [
                    (resource, o["metadata"]["name"])
                    for o in self.store.list(resource, flags["namespace"], labels=labels)
                ]
            else:
                raise KubectlError("error: resource(s) were provided, but no name was specified")
        if flags["cascade"] not in ("background", "foreground", "orphan", "true", "false"):
            raise KubectlError(
                f'error: invalid cascade value ({flags["cascade"]}). Must be "background", '
                '"foreground", or "orphan"'
            )
        for resource, name in targets:
            try:
                obj = self.store.get(resource, flags["namespace"], name)
            except ApiError as error:
                self.err.append(error.kubectl_text)
                status = 1
                continue
            namespace = obj["metadata"].get("namespace")
            if flags["cascade"] in ("orphan", "false"):
                self._orphan(obj)
            if resource.name == "pods":
                self.store.mark_deleting(resource, namespace, name)
            else:
                self.store.remove(resource, namespace, name)
            self.out.append(
                f'{resource.singular}{"." + resource.group if resource.group else ""} "{name}" '
                "deleted"
            )
            self.cluster.settle()
            if flags["wait"] == "true":
                grace = float(obj.get("spec", {}).get("terminationGracePeriodSeconds", 30))
                self.cluster.run_until(
                    lambda r=resource, n=name, ns=namespace: not self.store.exists(r, ns, n),
                    timeout=grace + 5,
                )
        return status

    def _orphan(self, owner: Object) -> None:
        uid = owner["metadata"]["uid"]
        for resource in RESOURCES:
            for obj in self.store.list(resource):
                refs = obj["metadata"].get("ownerReferences") or []
                if any(ref["uid"] == uid for ref in refs):
                    obj["metadata"]["ownerReferences"] = [ref for ref in refs if ref["uid"] != uid]
                    if not obj["metadata"]["ownerReferences"]:
                        del obj["metadata"]["ownerReferences"]
                    self.store.update(obj)

    def _set_unschedulable(self, node_name: str, value: bool) -> bool:
        node = self.store.get("nodes", None, node_name)
        if bool(node["spec"].get("unschedulable")) == value:
            return False
        if value:
            node["spec"]["unschedulable"] = True
            node["spec"].setdefault("taints", []).append(
                {
                    "key": "node.kubernetes.io/unschedulable",
                    "effect": "NoSchedule",
                    "timeAdded": node["metadata"]["creationTimestamp"],
                }
            )
        else:
            node["spec"].pop("unschedulable", None)
            node["spec"]["taints"] = [
                t
                for t in node["spec"].get("taints") or []
                if t["key"] != "node.kubernetes.io/unschedulable"
            ]
            if not node["spec"]["taints"]:
                del node["spec"]["taints"]
        self.store.update(node)
        self.cluster.settle()
        return True

    def cordon(self, words: Sequence[str], value: bool = True) -> int:
        verb = "cordon" if value else "uncordon"
        args, _ = parse(verb, words, [])
        if len(args) != 1:
            raise KubectlError(
                f"error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"
            )
        changed = self._set_unschedulable(args[0], value)
        past = "cordoned" if value else "uncordoned"
        self.out.append(f"node/{args[0]} {past}" if changed else f"node/{args[0]} already {past}")
        return 0

    def drain(self, words: Sequence[str]) -> int:
        args, flags = parse(
            "drain",
            words,
            [
                Flag("force", boolean=True),
                Flag("ignore-daemonsets", boolean=True),
                Flag("delete-emptydir-data", boolean=True),
                Flag("grace-period", default="-1"),
            ],
        )
        if len(args) != 1:
            raise KubectlError(
                "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples"
            )
        node = args[0]
        self.store.get("nodes", None, node)
        changed = self._set_unschedulable(node, True)
        self.out.append(f"node/{node} cordoned" if changed else f"node/{node} already cordoned")
        pods = [
            p
            for p in self.store.list("pods")
            if p["spec"].get("nodeName") == node and "deletionTimestamp" not in p["metadata"]
        ]
        unmanaged = [
            f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            for p in pods
            if controller_of(p) is None
        ]
        if unmanaged and flags["force"] != "true":
            # kubectl's words exactly, odd grammar included ("cannot delete " + unmanagedFatal
            # in k8s.io/kubectl/pkg/drain/filters.go).
            problem = (
                "cannot delete Pods declare no controller (use --force to "
                f"override): {', '.join(unmanaged)}"
            )
            self.err += [
                f'error: unable to drain node "{node}" due to error: {problem}, continuing '
                "command...",
                "There are pending nodes to be drained:",
                f" {node}",
                problem,
            ]
            return 1
        if unmanaged:
            self.err.append(
                f"Warning: deleting Pods that declare no controller: {', '.join(unmanaged)}"
            )
        for pod in pods:
            self.out.append(
                f"evicting pod {pod['metadata']['namespace']}/{pod['metadata']['name']}"
            )
        for pod in pods:
            self.store.mark_deleting("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
        self.cluster.settle()
        self.cluster.run_until(
            lambda: (
                not any(
                    self.store.exists("pods", p["metadata"]["namespace"], p["metadata"]["name"])
                    for p in pods
                )
            ),
            timeout=60,
        )
        self.out += [f"pod/{p['metadata']['name']} evicted" for p in pods]
        self.out.append(f"node/{node} drained")
        return 0

    def apply(self, words: Sequence[str]) -> int:
        _, flags = parse("apply", words, [Flag("filename", "f"), _NAMESPACE])
        if not flags["filename"]:
            raise KubectlError("error: must specify one of -f and -k")
        self.out.append(self.cluster.apply_file(flags["filename"]))
        return 0

    # -- rollout -----------------------------------------------------------------------------------
    def rollout(self, words: Sequence[str]) -> int:
        if not words:
            raise KubectlError("error: rollout needs a subcommand: history, status or undo")
        sub, rest = words[0], words[1:]
        handler = {
            "status": self._rollout_status,
            "history": self._rollout_history,
            "undo": self._rollout_undo,
        }.get(sub)
        if handler is None:
            raise KubectlError(f'error: unknown command "{sub}" for "kubectl rollout"')
        return handler(rest)

    def _deployment(self, args: Sequence[str], namespace: str, verb: str) -> Object:
        resource, obj = self._one(args, namespace, verb)
        if resource.name != "deployments":
            raise KubectlError(
                f"error: no {verb.rsplit(maxsplit=1)[-1]} has been implemented for "
                f'{{"{resource.group}" "{resource.kind}"}}'
            )
        return obj

    @staticmethod
    def rollout_message(d: Object) -> tuple[str, bool]:
        """kubectl's DeploymentStatusViewer: (message, done)."""
        name = d["metadata"]["name"]
        status = d.get("status", {})
        if d["metadata"].get("generation", 1) > status.get("observedGeneration", 0):
            return "Waiting for deployment spec update to be observed...", False
        for condition in status.get("conditions") or []:
            if (
                condition["type"] == "Progressing"
                and condition["reason"] == "ProgressDeadlineExceeded"
            ):
                raise KubectlError(f'error: deployment "{name}" exceeded its progress deadline')
        replicas = int(d["spec"].get("replicas", 1))
        updated = int(status.get("updatedReplicas", 0))
        total = int(status.get("replicas", 0))
        available = int(status.get("availableReplicas", 0))
        if updated < replicas:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} '
                "new replicas have been updated...",
                False,
            )
        if total > updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {total - updated} old '
                "replicas are pending termination...",
                False,
            )
        if available < updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} '
                "updated replicas are available...",
                False,
            )
        return f'deployment "{name}" successfully rolled out', True

    def _rollout_status(self, words: Sequence[str]) -> int:
        args, flags = parse(
            "rollout status",
            words,
            [
                _NAMESPACE,
                Flag("watch", "w", boolean=True, default="true"),
                Flag("timeout", default="0s"),
            ],
        )
        d = self._deployment(args, flags["namespace"], "rollout status")
        name, namespace = d["metadata"]["name"], d["metadata"]["namespace"]
        last = ""
        # Like kubectl, watch the Deployment and print each new message until it is done.
        while True:
            current = self.store.get("deployments", namespace, name)
            message, done = self.rollout_message(current)
            if message != last:
                self.out.append(message)
                last = message
            if done or flags["watch"] != "true":
                return 0
            seen = last

            def changed(seen: str = seen) -> bool:
                now = self.store.get("deployments", namespace, name)
                return self.rollout_message(now)[0] != seen

            if not self.cluster.run_until(changed, timeout=900):
                return 1

    def _rollout_history(self, words: Sequence[str]) -> int:
        args, flags = parse("rollout history", words, [_NAMESPACE, Flag("revision", default="0")])
        d = self._deployment(args, flags["namespace"], "rollout history")
        history = self._history(d)
        wanted = int(flags["revision"])
        if wanted:
            rs = history.get(wanted)
            if rs is None:
                raise KubectlError("error: unable to find the specified revision")
            template = copy.deepcopy(rs["spec"]["template"])
            self.out.append(f"deployment.apps/{d['metadata']['name']} with revision #{wanted}")
            from virtdocs.kubernetes.kubectl.describe import _template, _Writer

            w = _Writer()
            _template(w, template)
            self.out.append(w.render())
            return 0
        lines = ["REVISION\tCHANGE-CAUSE"]
        for revision, rs in sorted(history.items()):
            cause = (
                rs["metadata"].get("annotations", {}).get("kubernetes.io/change-cause", "<none>")
            )
            lines.append(f"{revision}\t{cause}")
        self.out.append(f"deployment.apps/{d['metadata']['name']} ")
        self.out.append(tabwrite(lines, minwidth=0, padding=2))
        return 0

    def _history(self, d: Object) -> dict[int, Object]:
        return {
            revision_of(rs): rs
            for rs in self.store.list("replicasets", d["metadata"]["namespace"])
            if (controller_of(rs) or {}).get("uid") == d["metadata"]["uid"]
        }

    def _rollout_undo(self, words: Sequence[str]) -> int:
        args, flags = parse("rollout undo", words, [_NAMESPACE, Flag("to-revision", default="0")])
        d = self._deployment(args, flags["namespace"], "rollout undo")
        history = self._history(d)
        wanted = int(flags["to-revision"])
        current = revision_of(d)
        if wanted == 0:
            previous = sorted(r for r in history if r < current)
            if not previous:
                raise KubectlError(
                    'error: no rollout history found for deployment "' + d["metadata"]["name"] + '"'
                )
            wanted = previous[-1]
        rs = history.get(wanted)
        if rs is None:
            raise KubectlError(f"error: unable to find specified revision {wanted} in history")
        template = copy.deepcopy(rs["spec"]["template"])
        template["metadata"].get("labels", {}).pop(HASH_LABEL, None)
        name = d["metadata"]["name"]
        if template == d["spec"]["template"]:
            self.out.append(
                f"deployment.apps/{name} skipped rollback (current template already matches "
                f"revision {wanted})"
            )
            return 0
        d["spec"]["template"] = template
        # Like kubectl's rollback, bring back the revision's annotations (its change-cause).
        annotations = d["metadata"].setdefault("annotations", {})
        for key, value in (rs["metadata"].get("annotations") or {}).items():
            if key not in NOT_COPIED:
                annotations[key] = value
        self.store.update(d)
        self.cluster.settle()
        self.out.append(f"deployment.apps/{name} rolled back")
        return 0


def _sort_key(obj: Object, path: str) -> Any:
    value: Any = obj
    for part in path.strip("{}").lstrip(".").split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        return parse_rfc3339(value)
    return value


def run(cluster: Cluster, words: Sequence[str]) -> KubectlOutput:
    """Run one kubectl command line (without the leading ``kubectl``)."""
    kubectl = Kubectl(cluster)
    commands: dict[str, Callable[[Sequence[str]], int]] = {
        "get": kubectl.get,
        "describe": kubectl.describe,
        "api-resources": kubectl.api_resources,
        "scale": kubectl.scale,
        "set": kubectl.set,
        "label": kubectl.label,
        "delete": kubectl.delete,
        "cordon": kubectl.cordon,
        "uncordon": lambda w: kubectl.cordon(w, value=False),
        "drain": kubectl.drain,
        "apply": kubectl.apply,
        "rollout": kubectl.rollout,
    }
    if not words:
        return KubectlOutput("", "error: no command given\nRun 'kubectl --help' for usage.", 1)
    handler = commands.get(words[0])
    if handler is None:
        return KubectlOutput(
            "",
            f'error: unknown command "{words[0]}" for "kubectl"\nRun \'kubectl --help\' for usage.',
            1,
        )
    try:
        code = handler(words[1:])
    except ApiError as error:
        kubectl.err.append(error.kubectl_text)
        code = 1
    except FlagError as error:
        kubectl.err.append(f"error: {error}")
        code = 1
    except KubectlError as error:
        kubectl.err.append(str(error))
        code = 1
    except UserError as error:
        kubectl.err.append(f"error: {error}")
        code = 1
    return KubectlOutput("\n".join(kubectl.out), "\n".join(kubectl.err), code)

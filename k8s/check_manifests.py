"""Checks rendered Recourse manifests for what schemas and checkov cannot see.

    python3 k8s/check_manifests.py --builtin-out FILE RENDERED.yaml [...]
    python3 k8s/check_manifests.py --self-test RENDERED.yaml SCRATCH.yaml

For every rendered file (one overlay with some components):

- custom resources (a group with a folder under k8s/schemas/) are validated
  against the vendored CRD schema, strictly (an unknown field is an error,
  as with `kubernetes-validate --strict`); every other document is written,
  deduplicated across all files, to FILE for kubernetes-validate and checkov;
- the rules of k8s/README.md ("Validate"): grace period > drain + shutdown
  grace, token secret >= 32 bytes, no registry host in an image, one
  ServiceAccount per service with no token mounted;
- the network: a default deny exists; the pairs of services that can talk
  (an egress rule of the caller AND an ingress rule of the callee allow
  gRPC) are exactly CALLS; only the gateway admits pods of other namespaces;
  every egress rule of a service names its destinations (never "anywhere");
- the shared config: every gateway upstream and service URL names a Service
  and port that exists, and every service except the gateway has an upstream;
- the collector's pipelines (config files merged in --config order) use only
  receivers, processors and exporters they define.

Exit status 1 if any check fails; each failure names the file and resource.
`--self-test` breaks a render with every component in a dozen ways (an
unknown CRD field, an extra network path, a dangling upstream, ...) and
fails unless each is caught.
"""

import base64
import copy
import json
import sys
from pathlib import Path

import jsonschema
import yaml

SCHEMAS = Path(__file__).resolve().parent / "schemas"
GRPC_PORT = 50051
# Who may call whom over gRPC, and nothing else (k8s/README.md, "Network").
CALLS = {
    ("gateway", "carriers"), ("gateway", "contracts"), ("gateway", "claims"), ("gateway", "reporting"),
    ("contracts", "carriers"),
    ("claims", "contracts"),
    ("reporting", "carriers"), ("reporting", "contracts"), ("reporting", "claims"),
    ("gateway", "webhooks"), ("webhooks", "contracts"), ("webhooks", "claims"),
}
OTHER_NAMESPACE = "some-other-namespace"


# ---------------------------------------------------------------- schemas

def strict(schema):
    """The schema with unknown fields refused wherever the CRD lists fields
    and does not ask for unknown ones to be kept."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    # apiVersion/kind/metadata are checked by the API server, not the CRD.
    schema.setdefault("properties", {}).setdefault("metadata", {"type": "object"})
    return schema


_validators = {}


def custom_schema(doc):
    group, _, version = doc["apiVersion"].rpartition("/")
    if not group or not (SCHEMAS / group).is_dir():
        return None, None
    path = SCHEMAS / group / f"{doc['kind'].lower()}_{version}.json"
    if path not in _validators:
        _validators[path] = (
            jsonschema.Draft7Validator(strict(json.loads(path.read_text()))) if path.exists() else None
        )
    return path, _validators[path]


# ---------------------------------------------------------------- helpers

def labels_match(selector, labels):
    """matchLabels only (the manifests use nothing else); {} matches all."""
    if selector is None:
        return False
    if selector.get("matchExpressions"):
        raise ValueError("matchExpressions not supported by this check")
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def ns_labels(namespace):
    return {"kubernetes.io/metadata.name": namespace}


def peer_admits(peer, pod_labels, pod_ns, policy_ns):
    """Whether a NetworkPolicy peer covers a pod (ipBlocks cover no pod)."""
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        if not labels_match(peer["namespaceSelector"], ns_labels(pod_ns)):
            return False
    elif pod_ns != policy_ns:
        return False
    return labels_match(peer.get("podSelector", {}), pod_labels)


def port_admits(rule, port):
    ports = rule.get("ports")
    return not ports or any(p.get("port") in (port, None) and p.get("protocol", "TCP") == "TCP" for p in ports)


def allows(policies, direction, pod, other, port):
    """Whether some policy selecting `pod` lets traffic to/from `other` on port."""
    key, peers_key, kind = ("egress", "to", "Egress") if direction == "egress" else ("ingress", "from", "Ingress")
    selecting = [p for p in policies
                 if p["ns"] == pod["ns"] and labels_match(p["spec"]["podSelector"], pod["labels"])
                 and kind in p["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return True  # not isolated in this direction
    for policy in selecting:
        for rule in policy["spec"].get(key, []) or []:
            peers = rule.get(peers_key)
            if port_admits(rule, port) and (not peers or any(
                    peer_admits(peer, other["labels"], other["ns"], policy["ns"]) for peer in peers)):
                return True
    return False


def container_env(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


# ---------------------------------------------------------------- checks

def check_file(path, builtin):
    bad = []
    where = Path(path).name
    docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
    for doc in docs:
        schema_path, validator = custom_schema(doc)
        if schema_path is None:
            builtin.setdefault(yaml.safe_dump(doc, sort_keys=True), doc)
            continue
        if validator is None:
            bad.append(f"{where}: {doc['kind']} {doc['metadata']['name']}: no vendored schema {schema_path.name}")
            continue
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            at = "/".join(str(p) for p in err.path)
            bad.append(f"{where}: {doc['kind']} {doc['metadata']['name']}: {at}: {err.message[:200]}")

    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    namespace = next((d["metadata"]["namespace"] for d in docs if d["metadata"].get("namespace")), "default")

    # Rules a schema cannot express.
    for doc in by_kind.get("Secret", []):
        token = (doc.get("data") or {}).get("token-secret")
        if token is not None and len(base64.b64decode(token)) < 32:
            bad.append(f"{where}: Secret {doc['metadata']['name']}: token-secret shorter than 32 bytes")
    accounts = {d["metadata"]["name"]: d for d in by_kind.get("ServiceAccount", [])}
    services = {}
    for doc in by_kind.get("Deployment", []):
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]["spec"]
        for c in pod["containers"]:
            first = c["image"].split("/")[0]
            if "/" in c["image"] and ("." in first or ":" in first or first == "localhost"):
                # Committed manifests name no registry; set it at deploy time.
                bad.append(f"{where}: {name}: image {c['image']} names a registry host")
        labels = doc["spec"]["template"]["metadata"]["labels"]
        if labels.get("app.kubernetes.io/name") != "recourse":
            continue
        for c in pod["containers"]:
            env = container_env(c)
            drain = int(env.get("RECOURSE__SERVER__DRAIN_DELAY_MS") or 0) / 1000
            grace = int(env.get("RECOURSE__SERVER__SHUTDOWN_GRACE_SECONDS") or 30)
            if pod.get("terminationGracePeriodSeconds", 30) <= drain + grace:
                bad.append(f"{where}: {name}: terminationGracePeriodSeconds must exceed drain delay + shutdown grace")
        component = labels["app.kubernetes.io/component"]
        services[component] = {"ns": namespace, "labels": labels, "name": name}
        account = pod.get("serviceAccountName")
        if account != name or account not in accounts:
            bad.append(f"{where}: {name}: must run as its own ServiceAccount {name} (has {account})")
        elif accounts[account].get("automountServiceAccountToken") is not False \
                or pod.get("automountServiceAccountToken") is not False:
            bad.append(f"{where}: {name}: its ServiceAccount token must not be mounted")

    # The network.
    policies = [{"ns": d["metadata"].get("namespace", namespace), "spec": d["spec"], "name": d["metadata"]["name"]}
                for d in by_kind.get("NetworkPolicy", [])]
    if not any(p["spec"]["podSelector"] == {} and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
               and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies):
        bad.append(f"{where}: no default-deny NetworkPolicy (podSelector {{}}, Ingress and Egress, no rules)")
    for src_name, src in services.items():
        for dst_name, dst in services.items():
            if src_name == dst_name:
                continue
            talks = allows(policies, "egress", src, dst, GRPC_PORT) and allows(policies, "ingress", dst, src, GRPC_PORT)
            if talks != ((src_name, dst_name) in CALLS):
                bad.append(f"{where}: network: {src_name} → {dst_name} is {'allowed' if talks else 'denied'}, "
                           f"expected {'allowed' if not talks else 'denied'}")
        outsider = {"ns": OTHER_NAMESPACE, "labels": {"app": "anything"}}
        admits_outsiders = allows(policies, "ingress", src, outsider, GRPC_PORT)
        if admits_outsiders != (src_name == "gateway"):
            bad.append(f"{where}: network: {src_name} {'admits' if admits_outsiders else 'refuses'} "
                       f"other namespaces; only the gateway may")
    for p in policies:
        if any(labels_match(p["spec"]["podSelector"], s["labels"]) for s in services.values()):
            for rule in p["spec"].get("egress", []) or []:
                if not rule.get("to"):
                    bad.append(f"{where}: NetworkPolicy {p['name']}: a service egress rule without `to` allows any destination")

    # The shared config: where the gateway and the services find each other.
    service_ports = {(d["metadata"]["name"], port["port"]) for d in by_kind.get("Service", []) for port in d["spec"]["ports"]}
    config = next((d.get("data", {}) for d in by_kind.get("ConfigMap", []) if d["metadata"]["name"].startswith("recourse-config")), {})
    upstreams = set()
    for key, url in config.items():
        if key.startswith("RECOURSE__GATEWAY__UPSTREAMS__") or (key.startswith("RECOURSE__SERVICES__") and key.endswith("_URL")):
            host_port = url.split("://", 1)[-1].rstrip("/")
            host, _, port = host_port.partition(":")
            if (host, int(port or 80)) not in service_ports:
                bad.append(f"{where}: recourse-config {key}={url}: no Service {host} on port {port}")
            if key.startswith("RECOURSE__GATEWAY__UPSTREAMS__"):
                upstreams.add(key.removeprefix("RECOURSE__GATEWAY__UPSTREAMS__").lower())
    missing = set(services) - {"gateway"} - upstreams
    if services and missing:
        bad.append(f"{where}: recourse-config: the gateway has no upstream for {sorted(missing)}")

    bad += check_collector(where, by_kind)
    return bad


def merge(base, layer):
    """The collector's --config merge: maps merge, anything else is replaced."""
    if isinstance(base, dict) and isinstance(layer, dict):
        out = dict(base)
        for k, v in layer.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return layer


def check_collector(where, by_kind):
    bad = []
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in by_kind.get("ConfigMap", [])}
    for doc in by_kind.get("Deployment", []):
        pod = doc["spec"]["template"]["spec"]
        for c in pod["containers"]:
            files = [a.split("=", 1)[1] for a in c.get("args", []) if a.startswith("--config=")]
            if "opentelemetry-collector" not in c["image"] or not files:
                continue
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            config = {}
            for f in files:
                directory, _, filename = f.rpartition("/")
                volume = volumes[mounts[directory]]
                data = maps[volume["configMap"]["name"]]
                if filename not in data:
                    bad.append(f"{where}: {doc['metadata']['name']}: --config {f} is not in its ConfigMap")
                    continue
                config = merge(config, yaml.safe_load(data[filename]))
            for name, pipeline in (config.get("service", {}).get("pipelines") or {}).items():
                for section in ("receivers", "processors", "exporters"):
                    for used in pipeline.get(section, []):
                        if used not in (config.get(section) or {}):
                            bad.append(f"{where}: collector pipeline {name}: {section[:-1]} {used} is not defined")
            for ext in config.get("service", {}).get("extensions", []):
                if ext not in (config.get("extensions") or {}):
                    bad.append(f"{where}: collector extension {ext} is not defined")
    return bad


def find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"].startswith(name))


def mutations():
    """Each breaks one thing the checks above must notice."""
    def cluster_field(docs):
        find(docs, "Cluster", "recourse-pg")["spec"]["instancez"] = 3

    def route_port_type(docs):
        find(docs, "GRPCRoute", "recourse-gateway")["spec"]["rules"][0]["backendRefs"][0]["port"] = "50051"

    def no_default_deny(docs):
        docs.remove(find(docs, "NetworkPolicy", "default-deny"))

    def claims_cannot_call_contracts(docs):
        find(docs, "NetworkPolicy", "recourse-claims")["spec"]["egress"] = []

    def carriers_open_to_all(docs):
        find(docs, "NetworkPolicy", "recourse-carriers")["spec"]["ingress"][0]["from"] = [{"namespaceSelector": {}}]

    def egress_anywhere(docs):
        find(docs, "NetworkPolicy", "recourse-reporting")["spec"]["egress"].append({"ports": [{"port": 443}]})

    def dangling_upstream(docs):
        find(docs, "ConfigMap", "recourse-config")["data"]["RECOURSE__GATEWAY__UPSTREAMS__CLAIMS"] = "http://recourse-claim:50051"

    def missing_upstream(docs):
        del find(docs, "ConfigMap", "recourse-config")["data"]["RECOURSE__GATEWAY__UPSTREAMS__REPORTING"]

    def short_token(docs):
        find(docs, "Secret", "recourse-auth")["data"]["token-secret"] = base64.b64encode(b"short").decode()

    def collector_unknown_exporter(docs):
        config = find(docs, "ConfigMap", "otel-collector-config")["data"]
        for name in config:
            config[name] = config[name].replace("exporters: [debug", "exporters: [debugg")

    def token_mounted(docs):
        find(docs, "ServiceAccount", "recourse-gateway")["automountServiceAccountToken"] = True

    def short_grace(docs):
        find(docs, "Deployment", "recourse-claims")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 20

    return [cluster_field, route_port_type, no_default_deny, claims_cannot_call_contracts, carriers_open_to_all,
            egress_anywhere, dangling_upstream, missing_upstream, short_token, collector_unknown_exporter,
            token_mounted, short_grace]


def self_test(render, scratch):
    """The unmodified render passes; every mutation of it is caught."""
    original = [d for d in yaml.safe_load_all(Path(render).read_text()) if d]
    failures = 0
    if check_file(render, {}):
        print(f"self-test: {render} itself fails the checks")
        failures += 1
    for mutate in mutations():
        docs = copy.deepcopy(original)
        mutate(docs)
        Path(scratch).write_text("---\n".join(yaml.safe_dump(d) for d in docs))
        caught = check_file(scratch, {})
        if not caught:
            print(f"self-test: {mutate.__name__}: NOT CAUGHT")
        failures += not caught
    print(f"{'FAIL' if failures else 'ok  '} self-test: {len(mutations())} broken variants of "
          f"{Path(render).name}, {len(mutations()) - failures if not failures else 'not all'} caught")
    return 1 if failures else 0


def main(argv):
    if argv[:1] == ["--self-test"]:
        return self_test(argv[1], argv[2])
    out = argv[argv.index("--builtin-out") + 1]
    files = [a for i, a in enumerate(argv) if a != "--builtin-out" and (i == 0 or argv[i - 1] != "--builtin-out")]
    builtin, bad = {}, []
    for path in files:
        bad += check_file(path, builtin)
    Path(out).write_text("---\n".join(yaml.safe_dump(d, sort_keys=False) for d in builtin.values()))
    for line in bad:
        print("ERROR", line)
    print(f"{'FAIL' if bad else 'ok  '} rules, network, config and CRD schemas on {len(files)} renders "
          f"({len(builtin)} distinct built-in resources left for kubernetes-validate)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

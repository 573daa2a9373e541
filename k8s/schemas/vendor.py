"""Extracts the OpenAPI v3 schema of each served version of CRDs into
k8s/schemas/<group>/<kind>_<version>.json, for k8s/check_manifests.py.

    python3 k8s/schemas/vendor.py CRD.yaml [CRD.yaml ...]

`description` texts are dropped (they are most of a CRD's size and play no
part in validation); everything else is kept as the CRD states it. Record
the source and version of each CRD in k8s/schemas/README.md.
"""

import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def strip_descriptions(node):
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description" or not isinstance(v, str)}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def main(paths):
    for path in paths:
        for crd in yaml.safe_load_all(Path(path).read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if not version.get("served"):
                    continue
                schema = strip_descriptions(version["schema"]["openAPIV3Schema"])
                out = HERE / group / f"{kind.lower()}_{version['name']}.json"
                out.parent.mkdir(exist_ok=True)
                out.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
                print(f"{out.relative_to(HERE)}: {kind} {group}/{version['name']}")


if __name__ == "__main__":
    main(sys.argv[1:])

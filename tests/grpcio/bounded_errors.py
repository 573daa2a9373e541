#!/usr/bin/env python3
"""A grpc-core client (Python grpcio, default limits) calling a running
Recourse with requests that yield huge errors, printing what it really
received as one JSON object: the status code, the message and the
google.rpc.BadRequest field violations decoded from the trailers. The
carriers service's largest mistakes (3,000 bad mask paths, a 150 kB
echoed value) and the contracts service's (a rate card of 5 zones x 20
breaks priced in the wrong currency, a 150 kB postal code).

Stubs are generated from the repository's proto/ at run time.

    python3 bounded_errors.py --address 127.0.0.1:50051 --token T --proto-dir proto
"""

import argparse
import importlib
import json
import os
import pathlib
import sys
import tempfile

import grpc
from grpc_status import rpc_status
from google.rpc import error_details_pb2
from grpc_tools import protoc
import grpc_tools


def generate(proto_dir: pathlib.Path, out: pathlib.Path) -> None:
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    files = [str(p.relative_to(proto_dir)) for p in proto_dir.rglob("*.proto")]
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{proto_dir}",
            f"-I{well_known}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            *files,
        ]
    )
    if code != 0:
        sys.exit(f"protoc failed with {code}")


def outcome(err: grpc.RpcError) -> dict:
    """What the client read: code, message and BadRequest violations."""
    result = {
        "code": err.code().name,
        "message": err.details() or "",
        "violations": [],
        "trailing_metadata_bytes": sum(
            len(k) + len(v if isinstance(v, (bytes, str)) else str(v))
            for k, v in (err.trailing_metadata() or [])
        ),
    }
    status = rpc_status.from_call(err)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                result["violations"] = [
                    {"field": v.field, "description": v.description}
                    for v in bad.field_violations
                ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--proto-dir", required=True)
    args = parser.parse_args()

    out = pathlib.Path(tempfile.mkdtemp(prefix="recourse-grpcio-"))
    generate(pathlib.Path(args.proto_dir), out)
    sys.path.insert(0, str(out))
    pb = importlib.import_module("recourse.carriers.v1.carriers_pb2")
    rpc = importlib.import_module("recourse.carriers.v1.carriers_pb2_grpc")
    field_mask = importlib.import_module("google.protobuf.field_mask_pb2")

    metadata = [("authorization", f"Bearer {args.token}")]
    stub = rpc.CarrierServiceStub(grpc.insecure_channel(args.address))
    results = {}

    # A 150 kB value echoed back: an update_mask path nobody can update.
    created = stub.CreateCarrier(
        pb.CreateCarrierRequest(
            request_id="grpcio-echo",
            carrier=pb.Carrier(
                code="ECHO",
                display_name="Echo",
                kind=pb.CARRIER_KIND_REGIONAL,
                regions=["US-CA"],
            ),
        ),
        metadata=metadata,
    )
    # 3,000 update_mask paths nobody can update: 3,000 violations.
    try:
        stub.UpdateCarrier(
            pb.UpdateCarrierRequest(
                carrier=pb.Carrier(name=created.name, etag=created.etag),
                update_mask=field_mask.FieldMask(
                    paths=[f"no_such_field_{i}" for i in range(3000)]
                ),
            ),
            metadata=metadata,
        )
        results["many_violations"] = {"code": "OK"}
    except grpc.RpcError as err:
        results["many_violations"] = outcome(err)

    # A remittance with 3,000 bad lines (each a negative amount): 3,000
    # violations from the claims service.
    claims_pb = importlib.import_module("recourse.claims.v1.recoveries_pb2")
    claims_rpc = importlib.import_module("recourse.claims.v1.recoveries_pb2_grpc")
    money = importlib.import_module("recourse.common.v1.money_pb2")
    date = importlib.import_module("recourse.common.v1.date_pb2")
    recoveries = claims_rpc.RecoveryServiceStub(grpc.insecure_channel(args.address))
    usd = lambda minor: money.Money(amount_minor=minor, currency_code="USD")
    try:
        recoveries.RecordRemittance(
            claims_pb.RecordRemittanceRequest(
                request_id="grpcio-remittance",
                remittance=claims_pb.Remittance(
                    carrier=created.name,
                    kind=claims_pb.REMITTANCE_KIND_PAYMENT,
                    reference="GRPCIO-3000",
                    remittance_date=date.Date(year=2026, month=11, day=20),
                    amount=usd(100_000),
                    lines=[
                        claims_pb.RemittanceLine(tracking_number=f"T{i}", amount=usd(-1))
                        for i in range(3000)
                    ],
                ),
            ),
            metadata=metadata,
        )
        results["bad_remittance_lines"] = {"code": "OK"}
    except grpc.RpcError as err:
        results["bad_remittance_lines"] = outcome(err)

    huge = "x" * 150_000
    try:
        stub.UpdateCarrier(
            pb.UpdateCarrierRequest(
                carrier=pb.Carrier(name=created.name, etag=created.etag),
                update_mask=field_mask.FieldMask(paths=[huge]),
            ),
            metadata=metadata,
        )
        results["huge_value"] = {"code": "OK"}
    except grpc.RpcError as err:
        results["huge_value"] = outcome(err)

    contracts(args, out, metadata, created.name, results)
    print(json.dumps(results))


def contracts(args, out, metadata, carrier: str, results: dict) -> None:
    """The contracts service's realistic mistakes: a rate card of 5 zones x
    20 breaks priced in the wrong currency (100 violations), and an unknown
    150 kB postal code in a quote."""
    cpb = importlib.import_module("recourse.contracts.v1.contracts_pb2")
    tpb = importlib.import_module("recourse.contracts.v1.terms_pb2")
    crpc = importlib.import_module("recourse.contracts.v1.contracts_pb2_grpc")
    money = importlib.import_module("recourse.common.v1.money_pb2")
    date = importlib.import_module("recourse.common.v1.date_pb2")
    measure = importlib.import_module("recourse.common.v1.measure_pb2")
    stub = crpc.ContractServiceStub(grpc.insecure_channel(args.address))

    def eur(minor: int):
        return money.Money(amount_minor=minor, currency_code="EUR")

    zones = [
        tpb.ZoneRates(
            zone=f"Z{z}",
            weight_breaks=[
                tpb.WeightBreak(max_weight_thousandths=(k + 1) * 1000, charge=eur(500 + k))
                for k in range(20)
            ],
        )
        for z in range(5)
    ]
    card = tpb.RateCard(
        service_level="GROUND",
        zone_chart=[tpb.ZoneRule(origin_prefix="", destination_prefix="", zone="Z0")],
        weight_unit=measure.WEIGHT_UNIT_LB,
        dimension_unit=measure.LENGTH_UNIT_IN,
        dim_divisor=139,
        rounding=tpb.WEIGHT_ROUNDING_UP_WHOLE,
        zone_rates=zones,
    )
    terms = tpb.ContractTerms(
        currency_code="USD",
        rate_cards=[card],
        liability=tpb.LiabilityTerms(
            default_per_package_limit=money.Money(amount_minor=10000, currency_code="USD"),
            filing_windows=[
                tpb.FilingWindow(
                    claim_type=tpb.CLAIM_TYPE_LOSS, days=60, anchor=tpb.FILING_ANCHOR_SHIP_DATE
                )
            ],
        ),
    )
    try:
        stub.CreateContract(
            cpb.CreateContractRequest(
                request_id="grpcio-currency",
                carrier=carrier,
                reference="EUR-BY-MISTAKE",
                display_name="Priced in the wrong currency",
                effective_from=date.Date(year=2026, month=1, day=1),
                terms=terms,
            ),
            metadata=metadata,
        )
        results["wrong_currency_rate_card"] = {"code": "OK"}
    except grpc.RpcError as err:
        results["wrong_currency_rate_card"] = outcome(err)

    try:
        stub.QuoteRate(
            cpb.QuoteRateRequest(
                carrier=carrier,
                service_level="GROUND",
                origin_postal_code="9" * 150_000,
                destination_postal_code="10001",
                weight=measure.Weight(thousandths=1000, unit=measure.WEIGHT_UNIT_LB),
                ship_date=date.Date(year=2026, month=6, day=1),
            ),
            metadata=metadata,
        )
        results["huge_postal_code"] = {"code": "OK"}
    except grpc.RpcError as err:
        results["huge_postal_code"] = outcome(err)


if __name__ == "__main__":
    main()

//! The probe: every RPC of the contracts services naming a set of names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{Authed, at, day, event, shipment, terms, ts, usd};
use recourse_proto::common::{Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use tonic::Code;

use pb::TrackingEventType::PickedUp;

/// The names a probe uses: B's, or made up.
#[derive(Debug, Clone)]
pub struct Names {
    pub carrier: String,
    pub contract: String,
    pub version: String,
    pub draft: String,
    pub shipment: String,
    pub evaluation: String,
}

impl Names {
    pub fn made_up() -> Self {
        let id = || uuid::Uuid::now_v7().to_string();
        let contract = format!("contracts/{}", id());
        Self {
            carrier: format!("carriers/{}", id()),
            version: format!("{contract}/versions/1"),
            draft: format!("{contract}/versions/2"),
            contract,
            shipment: format!("shipments/{}", id()),
            evaluation: format!("slaEvaluations/{}", id()),
        }
    }

    /// `message` with every name of this set replaced by its role.
    fn normalise(&self, message: &str) -> String {
        let mut out = message.to_owned();
        // Longest first: a version's name contains its contract's.
        for (name, placeholder) in [
            (&self.draft, "{draft}"),
            (&self.version, "{version}"),
            (&self.contract, "{contract}"),
            (&self.carrier, "{carrier}"),
            (&self.shipment, "{shipment}"),
            (&self.evaluation, "{evaluation}"),
        ] {
            out = out.replace(name.as_str(), placeholder);
        }
        out
    }
}

pub struct Clients {
    pub contracts: ContractServiceClient<Authed>,
    pub shipments: ShipmentServiceClient<Authed>,
    pub sla: SlaServiceClient<Authed>,
}

fn answer<T>(
    rpc: &str,
    names: &Names,
    r: Result<tonic::Response<T>, tonic::Status>,
) -> (String, Code, String) {
    let err = r
        .err()
        .unwrap_or_else(|| panic!("{rpc} answered with B's data"));
    (rpc.to_owned(), err.code(), names.normalise(err.message()))
}

/// Calls every RPC naming `n`; returns (rpc, code, normalised message).
pub async fn walk(c: &mut Clients, n: &Names) -> Vec<(String, Code, String)> {
    let version = |name: &str| pb::ContractVersion {
        name: name.to_owned(),
        etag: "\"1\"".into(),
        ..Default::default()
    };
    let mask = Some(prost_types::FieldMask {
        paths: vec!["effective_to".into()],
    });
    let mut out = vec![
        answer(
            "CreateContract",
            n,
            c.contracts
                .create_contract(pb::CreateContractRequest {
                    request_id: "probe".into(),
                    carrier: n.carrier.clone(),
                    reference: "PROBE".into(),
                    display_name: "probe".into(),
                    effective_from: day(2026, 1, 1),
                    effective_to: None,
                    terms: Some(terms()),
                })
                .await,
        ),
        answer(
            "GetContract",
            n,
            c.contracts
                .get_contract(pb::GetContractRequest {
                    name: n.contract.clone(),
                })
                .await,
        ),
        answer(
            "ListContracts",
            n,
            c.contracts
                .list_contracts(pb::ListContractsRequest {
                    carrier: n.carrier.clone(),
                    ..Default::default()
                })
                .await,
        ),
        answer(
            "CreateContractVersion",
            n,
            c.contracts
                .create_contract_version(pb::CreateContractVersionRequest {
                    request_id: "probe".into(),
                    contract: n.contract.clone(),
                    effective_from: day(2027, 1, 1),
                    effective_to: None,
                    terms: Some(terms()),
                })
                .await,
        ),
        answer(
            "GetContractVersion",
            n,
            c.contracts
                .get_contract_version(pb::GetContractVersionRequest {
                    name: n.version.clone(),
                })
                .await,
        ),
        answer(
            "GetContractVersion(draft)",
            n,
            c.contracts
                .get_contract_version(pb::GetContractVersionRequest {
                    name: n.draft.clone(),
                })
                .await,
        ),
        answer(
            "UpdateContractVersion",
            n,
            c.contracts
                .update_contract_version(pb::UpdateContractVersionRequest {
                    version: Some(version(&n.draft)),
                    update_mask: mask.clone(),
                })
                .await,
        ),
        answer(
            "ActivateContractVersion",
            n,
            c.contracts
                .activate_contract_version(pb::ActivateContractVersionRequest {
                    name: n.draft.clone(),
                    etag: "\"1\"".into(),
                })
                .await,
        ),
        answer(
            "ExpireContractVersion",
            n,
            c.contracts
                .expire_contract_version(pb::ExpireContractVersionRequest {
                    name: n.version.clone(),
                    etag: "\"2\"".into(),
                    effective_to: day(2026, 12, 31),
                })
                .await,
        ),
        answer(
            "GetTermsInForce",
            n,
            c.contracts
                .get_terms_in_force(pb::GetTermsInForceRequest {
                    carrier: n.carrier.clone(),
                    date: day(2026, 6, 1),
                })
                .await,
        ),
        answer(
            "QuoteRate",
            n,
            c.contracts
                .quote_rate(pb::QuoteRateRequest {
                    carrier: n.carrier.clone(),
                    service_level: "GROUND".into(),
                    origin_postal_code: "94105".into(),
                    destination_postal_code: "10001".into(),
                    weight: Some(Weight {
                        thousandths: 1_000,
                        unit: WeightUnit::Lb.into(),
                    }),
                    ship_date: day(2026, 6, 1),
                    ..Default::default()
                })
                .await,
        ),
        answer(
            "AuditCharge",
            n,
            c.contracts
                .audit_charge(pb::AuditChargeRequest {
                    shipment: n.shipment.clone(),
                    billed: None,
                })
                .await,
        ),
        answer(
            "GetClaimTerms",
            n,
            c.contracts
                .get_claim_terms(pb::GetClaimTermsRequest {
                    carrier: n.carrier.clone(),
                    service_level: "GROUND".into(),
                    claim_type: pb::ClaimType::Loss.into(),
                    ship_date: day(2026, 6, 1),
                })
                .await,
        ),
        answer(
            "RegisterShipment",
            n,
            c.shipments
                .register_shipment(pb::RegisterShipmentRequest {
                    request_id: "probe".into(),
                    shipment: Some(shipment(&n.carrier, "PROBE1", at(2026, 6, 1, 9, 0))),
                })
                .await,
        ),
        answer(
            "GetShipment",
            n,
            c.shipments
                .get_shipment(pb::GetShipmentRequest {
                    name: n.shipment.clone(),
                })
                .await,
        ),
        answer(
            "ListShipments",
            n,
            c.shipments
                .list_shipments(pb::ListShipmentsRequest {
                    carrier: n.carrier.clone(),
                    ..Default::default()
                })
                .await,
        ),
        answer(
            "ListTrackingEvents",
            n,
            c.shipments
                .list_tracking_events(pb::ListTrackingEventsRequest {
                    shipment: n.shipment.clone(),
                })
                .await,
        ),
        answer(
            "RecordShipmentCharges",
            n,
            c.shipments
                .record_shipment_charges(pb::RecordShipmentChargesRequest {
                    name: n.shipment.clone(),
                    etag: "\"1\"".into(),
                    update_mask: Some(prost_types::FieldMask {
                        paths: vec!["billed_charge".into()],
                    }),
                    billed_charge: usd(100),
                    ..Default::default()
                })
                .await,
        ),
        answer(
            "OverrideShipmentPromise",
            n,
            c.shipments
                .override_shipment_promise(pb::OverrideShipmentPromiseRequest {
                    name: n.shipment.clone(),
                    etag: "\"1\"".into(),
                    promised_delivery_time: ts(at(2026, 6, 9, 9, 0)),
                    reason: "probe".into(),
                })
                .await,
        ),
        answer(
            "EvaluateSla",
            n,
            c.sla
                .evaluate_sla(pb::EvaluateSlaRequest {
                    carrier: n.carrier.clone(),
                    service_level: "GROUND".into(),
                    period_date: day(2026, 6, 1),
                    as_of: None,
                })
                .await,
        ),
        answer(
            "GetSlaEvaluation",
            n,
            c.sla
                .get_sla_evaluation(pb::GetSlaEvaluationRequest {
                    name: n.evaluation.clone(),
                })
                .await,
        ),
        answer(
            "ListSlaEvaluations",
            n,
            c.sla
                .list_sla_evaluations(pb::ListSlaEvaluationsRequest {
                    carrier: n.carrier.clone(),
                    ..Default::default()
                })
                .await,
        ),
        answer(
            "ListRefundCandidates",
            n,
            c.sla
                .list_refund_candidates(pb::ListRefundCandidatesRequest {
                    carrier: n.carrier.clone(),
                    ..Default::default()
                })
                .await,
        ),
    ];
    let ingest = common::ingest(
        &mut c.shipments,
        &n.carrier,
        vec![vec![event("probe", "B1", PickedUp, at(2026, 6, 1, 10, 0))]],
    )
    .await;
    let err = ingest.expect_err("another carrier's events are refused");
    out.push((
        "IngestTrackingEvents".into(),
        err.code(),
        n.normalise(err.message()),
    ));
    out
}

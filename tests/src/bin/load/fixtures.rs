//! The carrier, contract terms and shipments a load run works with: the
//! same standard terms the service tests use (`recourse-test-support`).

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::common::{Date, Dimensions, LengthUnit, Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_test_support::fixtures::carrier_request;

use crate::Authed;

pub use recourse_test_support::fixtures::{terms, ts, usd};

fn day(y: i32, m: u32, d: u32) -> anyhow::Result<Date> {
    let date =
        NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("{y}-{m}-{d} is not a date"))?;
    Ok(date_to_proto(date))
}

/// A carrier selling GROUND and NEXT_DAY, with an active contract in force
/// from 2026-01-01 on the standard terms. Returns `carriers/{id}`.
pub async fn carrier_with_contract(channel: Authed, code: &str) -> anyhow::Result<String> {
    let mut request = carrier_request(code);
    request.request_id = format!("load-carrier-{code}");
    let carrier = CarrierServiceClient::new(channel.clone())
        .create_carrier(request)
        .await
        .context("CreateCarrier")?
        .into_inner()
        .name;
    let mut contracts = ContractServiceClient::new(channel);
    let contract = contracts
        .create_contract(pb::CreateContractRequest {
            request_id: format!("load-contract-{code}"),
            carrier: carrier.clone(),
            reference: format!("LOAD-{code}"),
            display_name: format!("Load contract {code}"),
            effective_from: Some(day(2026, 1, 1)?),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .context("CreateContract")?
        .into_inner();
    let draft = contract
        .versions
        .first()
        .context("CreateContract returned no version")?;
    contracts
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: draft.name.clone(),
            etag: draft.etag.clone(),
        })
        .await
        .context("ActivateContractVersion")?;
    Ok(carrier)
}

/// IANA zones of the destinations' first digits.
const DESTINATION_ZONES: [(&str, &str); 3] = [
    ("9", "America/Los_Angeles"),
    ("1", "America/New_York"),
    ("6", "America/Chicago"),
];

/// Destinations covering the three zones of the rate card (from 94105).
pub const DESTINATIONS: [&str; 4] = ["94016", "10001", "60601", "98101"];

pub fn weight(thousandths: i64) -> Option<Weight> {
    Some(Weight {
        thousandths,
        unit: WeightUnit::Lb.into(),
    })
}

pub fn dimensions() -> Option<Dimensions> {
    Some(Dimensions {
        length_thousandths: 10_000,
        width_thousandths: 8_000,
        height_thousandths: 4_000,
        unit: LengthUnit::In.into(),
    })
}

/// A GROUND shipment from 94105.
pub fn shipment(
    carrier: &str,
    tracking: &str,
    destination: &str,
    ship_time: DateTime<Utc>,
) -> pb::Shipment {
    pb::Shipment {
        carrier: carrier.into(),
        tracking_number: tracking.into(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: destination.into(),
        origin_time_zone: "America/Los_Angeles".into(),
        destination_time_zone: DESTINATION_ZONES
            .iter()
            .find(|(prefix, _)| destination.starts_with(prefix))
            .map_or("America/Chicago", |(_, zone)| zone)
            .into(),
        ship_time: ts(ship_time),
        weight: weight(2_000),
        dimensions: dimensions(),
        billed_charge: usd(1_000),
        ..Default::default()
    }
}

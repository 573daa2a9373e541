//! `recourse demo`: fills a running platform with a plausible book through
//! the public API only (the gateway), deterministic for a seed: three
//! carriers (national, regional, a 3PL) with contracts and SLA terms,
//! shipments over the last quarters with realistic transit, late
//! deliveries and exceptions, claims across the lifecycle and remittances.
//! Re-running with the same seed replays (every write carries a request id
//! derived from the seed).

use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::carriers as capb;
use recourse_proto::claims as clpb;
use recourse_proto::common::{Dimensions, LengthUnit, Weight, WeightUnit};
use recourse_proto::contracts as pb;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

mod book;

use book::{Rng, terms, usd};

type Authed = InterceptedService<Channel, OutboundInterceptor>;

/// What the demo wrote.
#[derive(Debug, Default)]
pub struct Summary {
    pub carriers: usize,
    pub shipments: usize,
    pub claims: usize,
    pub remittances: usize,
}

struct Client {
    channel: Channel,
    keys: TokenKeys,
}

impl Client {
    fn as_(&self, role: Role, scope: Option<&str>, subject: &str) -> Result<Authed, String> {
        let p = Principal::new(subject, role, scope.map(str::to_owned))?;
        let token = self.keys.mint(&p, 3_600)?;
        Ok(InterceptedService::new(
            self.channel.clone(),
            OutboundInterceptor::new(Some(&token))?,
        ))
    }
}

fn status(s: tonic::Status) -> String {
    format!("{:?}: {}", s.code(), s.message())
}

/// How far the demo got: `done` of `total` carrier-days shipped, and
/// what it just did (`""` on a plain step).
#[derive(Debug, Clone, Copy)]
pub struct Step<'m> {
    pub done: u64,
    pub total: u64,
    pub message: &'m str,
}

/// Fills the platform at `target` for the last `quarters` × 13 weeks,
/// reporting each carrier-day shipped (and each milestone) to `progress`.
pub async fn run(
    target: &str,
    keys: TokenKeys,
    quarters: u32,
    seed: u64,
    progress: impl Fn(Step<'_>),
) -> Result<Summary, String> {
    let channel = Endpoint::from_shared(target.to_owned())
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("cannot reach the gateway at {target}: {e}"))?;
    let c = Client { channel, keys };
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut summary = Summary::default();
    let admin = c.as_(Role::Admin, None, "recourse-demo")?;
    let now = Utc::now();
    let days = u64::from(quarters.clamp(1, 8)) * 91;
    let start = now.date_naive() - Days::new(days);
    let book = [
        ("NATIONAL", capb::CarrierKind::National, 9_500, 8u64),
        ("REGIONAL", capb::CarrierKind::Regional, 9_300, 5),
        ("THREEPL", capb::CarrierKind::ThirdPartyLogistics, 9_000, 3),
    ];
    let total = days * book.len() as u64;
    let mut done = 0u64;
    let progress = |done: u64, message: &str| {
        progress(Step {
            done,
            total,
            message,
        });
    };
    for (base, kind, target_bp, per_day) in book {
        let code = format!("{base}{}", seed % 100);
        let level = |code: &str, max: u32| capb::ServiceLevel {
            code: code.into(),
            display_name: code.into(),
            guaranteed: false,
            transit_days_min: 1,
            transit_days_max: max,
        };
        let carrier = capb::carrier_service_client::CarrierServiceClient::new(admin.clone())
            .create_carrier(capb::CreateCarrierRequest {
                request_id: format!("demo-{seed}-carrier-{code}"),
                carrier: Some(capb::Carrier {
                    code: code.clone(),
                    display_name: format!("{} Parcel", base.to_lowercase()),
                    kind: kind.into(),
                    regions: vec!["US".into()],
                    service_levels: vec![level("GROUND", 5), level("EXPRESS", 2)],
                    ..Default::default()
                }),
            })
            .await
            .map_err(status)?
            .into_inner()
            .name;
        let carrier_id = carrier.trim_start_matches("carriers/").to_owned();
        let mut contracts = pb::contract_service_client::ContractServiceClient::new(admin.clone());
        let contract = contracts
            .create_contract(pb::CreateContractRequest {
                request_id: format!("demo-{seed}-contract-{code}"),
                carrier: carrier.clone(),
                reference: format!("MSA-{code}"),
                display_name: format!("{code} master agreement"),
                effective_from: Some(date_to_proto(start - Days::new(1))),
                effective_to: None,
                terms: Some(terms(target_bp)),
            })
            .await
            .map_err(status)?
            .into_inner();
        if let Some(v) = contract
            .versions
            .first()
            .filter(|v| v.status() == pb::VersionStatus::Draft)
        {
            contracts
                .activate_contract_version(pb::ActivateContractVersionRequest {
                    name: v.name.clone(),
                    etag: v.etag.clone(),
                })
                .await
                .map_err(status)?;
        }
        summary.carriers += 1;
        progress(
            done,
            &format!(
                "carrier {code}: contract active from {}",
                start - Days::new(1)
            ),
        );
        let mut shipments = pb::shipment_service_client::ShipmentServiceClient::new(admin.clone());
        let mut events = Vec::new();
        let mut claimable = Vec::new();
        for d in 0..days {
            let day = start + Days::new(d);
            for n in 0..per_day {
                let tracking = format!("{code}{d:04}{n:02}");
                let ship: DateTime<Utc> = day
                    .and_hms_opt(8 + (rng.below(9) as u32), rng.below(60) as u32, 0)
                    .unwrap_or_default()
                    .and_utc();
                let level = if rng.below(4) == 0 {
                    "EXPRESS"
                } else {
                    "GROUND"
                };
                let s = shipments
                    .register_shipment(pb::RegisterShipmentRequest {
                        request_id: format!("demo-{seed}-ship-{tracking}"),
                        shipment: Some(pb::Shipment {
                            carrier: carrier.clone(),
                            tracking_number: tracking.clone(),
                            service_level: level.into(),
                            origin_postal_code: "60601".into(),
                            destination_postal_code: "30301".into(),
                            origin_time_zone: "America/Chicago".into(),
                            destination_time_zone: "America/New_York".into(),
                            ship_time: Some(timestamp_to_proto(ship)),
                            weight: Some(Weight {
                                thousandths: 1_000 + rng.below(20_000) as i64,
                                unit: WeightUnit::Lb.into(),
                            }),
                            dimensions: Some(Dimensions {
                                length_thousandths: 12_000,
                                width_thousandths: 9_000,
                                height_thousandths: 6_000,
                                unit: LengthUnit::In.into(),
                            }),
                            billed_charge: usd(900 + rng.below(1_500) as i64),
                            ..Default::default()
                        }),
                    })
                    .await
                    .map_err(status)?
                    .into_inner();
                summary.shipments += 1;
                let Some(promised) = s
                    .promised_delivery_time
                    .and_then(|p| DateTime::from_timestamp(p.seconds, 0))
                else {
                    continue;
                };
                let roll = rng.below(1_000);
                let event = |id: &str,
                             kind: pb::TrackingEventType,
                             at: DateTime<Utc>,
                             reason: &str| pb::TrackingEvent {
                    carrier_event_id: format!("{tracking}-{id}"),
                    tracking_number: tracking.clone(),
                    r#type: kind.into(),
                    occur_time: Some(timestamp_to_proto(at)),
                    location: "HUB".into(),
                    exception_reason: reason.into(),
                };
                events.push(event(
                    "p",
                    pb::TrackingEventType::PickedUp,
                    ship + chrono::Duration::hours(1),
                    "",
                ));
                // ~3 % weather (excused), ~2 % damaged, ~1 % lost (no delivery).
                if roll < 30 {
                    events.push(event(
                        "x",
                        pb::TrackingEventType::Exception,
                        ship + chrono::Duration::hours(20),
                        "WEATHER_DELAY",
                    ));
                } else if roll < 50 {
                    events.push(event(
                        "x",
                        pb::TrackingEventType::Exception,
                        ship + chrono::Duration::hours(20),
                        "DAMAGED",
                    ));
                }
                if roll >= 990 {
                    claimable.push(s.name.clone());
                    continue;
                }
                // Late by a few hours to two days ~ (100 − target) % + noise.
                let late = rng.below(10_000) >= u64::from(target_bp) + 150;
                let delivered = if late {
                    promised + chrono::Duration::hours(2 + rng.below(46) as i64)
                } else {
                    promised - chrono::Duration::minutes(rng.below(600) as i64)
                };
                if delivered <= now {
                    events.push(event("d", pb::TrackingEventType::Delivered, delivered, ""));
                }
                if (50..60).contains(&roll) {
                    claimable.push(s.name.clone());
                }
            }
            if events.len() >= 900 || d + 1 == days {
                let batch = std::mem::take(&mut events);
                shipments
                    .ingest_tracking_events(tokio_stream::iter([pb::IngestTrackingEventsRequest {
                        carrier: carrier.clone(),
                        events: batch,
                    }]))
                    .await
                    .map_err(status)?;
            }
            done += 1;
            if d % 30 == 29 {
                progress(
                    done,
                    &format!("carrier {code}: {} of {days} days shipped", d + 1),
                );
            } else {
                progress(done, "");
            }
        }
        let desk = c.as_(Role::Internal, None, "demo-claims-desk")?;
        let partner = c.as_(Role::Carrier, Some(&carrier_id), "demo-carrier-desk")?;
        let mut filer = clpb::claim_service_client::ClaimServiceClient::new(desk);
        let mut decider = clpb::claim_service_client::ClaimServiceClient::new(partner);
        let mut approved = Vec::new();
        for (i, shipment) in claimable.iter().enumerate() {
            let value = 2_000 + rng.below(30_000) as i64;
            let draft = filer
                .create_claim(clpb::CreateClaimRequest {
                    request_id: format!("demo-{seed}-claim-{code}-{i}"),
                    claim: Some(clpb::Claim {
                        shipment: shipment.clone(),
                        r#type: pb::ClaimType::Loss.into(),
                        claimant: Some(clpb::Claimant {
                            kind: clpb::ClaimantKind::InternalTeam.into(),
                            name: "Customer care".into(),
                            on_behalf_of: String::new(),
                        }),
                        line_items: vec![clpb::LineItem {
                            sku: format!("SKU-{i}"),
                            description: "Merchandise".into(),
                            quantity: 1,
                            unit_value: usd(value),
                        }],
                        ..Default::default()
                    }),
                })
                .await
                .map_err(status)?
                .into_inner();
            if draft.status() != clpb::ClaimStatus::Draft {
                continue;
            }
            let mut claim = filer
                .submit_claim(clpb::SubmitClaimRequest {
                    request_id: format!("demo-{seed}-submit-{code}-{i}"),
                    name: draft.name.clone(),
                    etag: draft.etag.clone(),
                    override_late_filing: false,
                    override_justification: String::new(),
                })
                .await
                .map_err(status)?
                .into_inner();
            summary.claims += 1;
            // A fifth stay open at some step; the rest are decided.
            let path: &[(clpb::ClaimStatus, Option<i64>)] = match rng.below(10) {
                0 => &[],
                1 => &[(clpb::ClaimStatus::Acknowledged, None)],
                2 => &[
                    (clpb::ClaimStatus::Acknowledged, None),
                    (clpb::ClaimStatus::UnderReview, None),
                    (clpb::ClaimStatus::Denied, None),
                ],
                3 => &[
                    (clpb::ClaimStatus::Acknowledged, None),
                    (clpb::ClaimStatus::UnderReview, None),
                    (
                        clpb::ClaimStatus::PartiallyApproved,
                        Some((value / 2).min(6_000)),
                    ),
                ],
                _ => &[
                    (clpb::ClaimStatus::Acknowledged, None),
                    (clpb::ClaimStatus::UnderReview, None),
                    (clpb::ClaimStatus::Approved, Some(value.min(10_000))),
                ],
            };
            for (step, (to, amount)) in path.iter().enumerate() {
                claim = decider
                    .transition_claim(clpb::TransitionClaimRequest {
                        request_id: format!("demo-{seed}-move-{code}-{i}-{step}"),
                        name: claim.name.clone(),
                        etag: claim.etag.clone(),
                        to: (*to).into(),
                        reason: "reviewed".into(),
                        approved_amount: amount.and_then(usd),
                        override_cap: false,
                    })
                    .await
                    .map_err(status)?
                    .into_inner();
                if let Some(a) = amount {
                    approved.push((claim.number.clone(), (*a).min(10_000)));
                }
            }
        }
        // The carrier pays most approved claims, in one remittance.
        let paid: Vec<(String, i64)> = approved.into_iter().filter(|_| rng.below(10) < 7).collect();
        if !paid.is_empty() {
            let total: i64 = paid.iter().map(|(_, a)| a).sum();
            let finance = c.as_(Role::Finance, None, "demo-finance")?;
            clpb::recovery_service_client::RecoveryServiceClient::new(finance)
                .record_remittance(clpb::RecordRemittanceRequest {
                    request_id: format!("demo-{seed}-remittance-{code}"),
                    remittance: Some(clpb::Remittance {
                        carrier: carrier.clone(),
                        kind: clpb::RemittanceKind::Payment.into(),
                        reference: format!("REM-{code}"),
                        remittance_date: Some(date_to_proto(now.date_naive())),
                        amount: usd(total),
                        lines: paid
                            .iter()
                            .map(|(number, amount)| clpb::RemittanceLine {
                                claim: number.clone(),
                                amount: usd(*amount),
                                ..Default::default()
                            })
                            .collect(),
                        ..Default::default()
                    }),
                })
                .await
                .map_err(status)?;
            summary.remittances += 1;
        }
        progress(
            done,
            &format!("carrier {code}: {} claims filed", summary.claims),
        );
    }
    Ok(summary)
}

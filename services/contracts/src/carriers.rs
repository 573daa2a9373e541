//! The carriers service, asked over gRPC (never its database) whether a
//! carrier exists and which service levels it sells. Calls carry the
//! caller's token and trace context, so the carriers service applies its
//! own partner rules; its failures reach our caller with their own code,
//! message and details (`client::upstream`), a deadline included.

use recourse_platform::ApiError;
use recourse_platform::client::{OutboundInterceptor, upstream};
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// What the contracts service needs to know of a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierFacts {
    /// `carriers/{id}`.
    pub name: String,
    /// The codes of the service levels it sells.
    pub service_levels: Vec<String>,
}

impl CarrierFacts {
    pub fn sells(&self, service_level: &str) -> bool {
        self.service_levels.iter().any(|l| l == service_level)
    }
}

#[derive(Debug, Clone)]
pub struct CarrierDirectory {
    channel: Channel,
}

impl CarrierDirectory {
    pub fn new(channel: Channel) -> Self {
        Self { channel }
    }

    /// The carrier `carriers/{id}`, read as the caller.
    pub async fn carrier(
        &self,
        token: Option<&str>,
        carrier_id: &str,
    ) -> Result<CarrierFacts, ApiError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ApiError::Unauthenticated)?;
        let mut client =
            CarrierServiceClient::new(InterceptedService::new(self.channel.clone(), interceptor));
        let carrier = client
            .get_carrier(pb::GetCarrierRequest {
                name: format!("carriers/{carrier_id}"),
            })
            .await
            .map_err(upstream)?
            .into_inner();
        Ok(CarrierFacts {
            name: carrier.name,
            service_levels: carrier.service_levels.into_iter().map(|l| l.code).collect(),
        })
    }
}

/// Where a carrier stands for planning: its status, capacity and regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierStanding {
    pub id: String,
    pub status: Standing,
    pub capacity: recourse_contracts_domain::shop::Capacity,
    /// Regions served (the registry's codes): carriers sharing one serve
    /// the same lanes.
    pub regions: Vec<String>,
    /// The codes of the service levels it sells.
    pub service_levels: Vec<String>,
}

/// A carrier's status as the registry states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    Suspended,
    /// Onboarding or offboarded.
    NotActive(&'static str),
    /// Not in the registry (or not the caller's to see).
    Unknown,
}

fn standing_of(status: i32) -> Standing {
    match pb::CarrierStatus::try_from(status) {
        Ok(pb::CarrierStatus::Active) => Standing::Active,
        Ok(pb::CarrierStatus::Suspended) => Standing::Suspended,
        Ok(pb::CarrierStatus::Onboarding) => Standing::NotActive("is still onboarding"),
        Ok(pb::CarrierStatus::Offboarded) => Standing::NotActive("is offboarded"),
        Ok(pb::CarrierStatus::Unspecified) | Err(_) => Standing::NotActive("has no status"),
    }
}

fn capacity_of(c: Option<pb::Capacity>) -> recourse_contracts_domain::shop::Capacity {
    let c = c.unwrap_or_default();
    let date = |d: Option<recourse_proto::common::Date>| {
        d.and_then(|d| recourse_platform::proto_types::date_from_proto(&d))
    };
    recourse_contracts_domain::shop::Capacity {
        daily_parcels: c.daily_parcels,
        peaks: c
            .peak_allocations
            .into_iter()
            .filter_map(|p| Some((date(p.start_date)?, date(p.end_date)?, p.daily_parcels)))
            .collect(),
    }
}

/// Names per ListCarriers call (the carriers service's largest page).
const NAMES_PER_CALL: usize = 500;

fn standing_from(id: String, carrier: pb::Carrier) -> CarrierStanding {
    CarrierStanding {
        id,
        status: standing_of(carrier.status),
        capacity: capacity_of(carrier.capacity),
        regions: carrier.regions,
        service_levels: carrier.service_levels.into_iter().map(|l| l.code).collect(),
    }
}

impl CarrierDirectory {
    /// The standing of each of `ids`, in order, read as the caller with one
    /// ListCarriers call per 500 names (`names` filter): one round trip and
    /// one query in the carriers service whatever the number of carriers
    /// up to 500. A carrier the answer leaves out (unknown, or not the
    /// caller's to see) stands as unknown; a failure ends the call as the
    /// upstream said.
    pub async fn standings(
        &self,
        token: Option<&str>,
        ids: &[String],
    ) -> Result<Vec<CarrierStanding>, ApiError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ApiError::Unauthenticated)?;
        let mut client =
            CarrierServiceClient::new(InterceptedService::new(self.channel.clone(), interceptor));
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(NAMES_PER_CALL) {
            let answer = client
                .list_carriers(pb::ListCarriersRequest {
                    page_size: i32::try_from(NAMES_PER_CALL).unwrap_or(i32::MAX),
                    names: chunk.iter().map(|id| format!("carriers/{id}")).collect(),
                    ..Default::default()
                })
                .await
                .map_err(upstream)?
                .into_inner();
            for carrier in answer.carriers {
                if let Some(id) = carrier.name.strip_prefix("carriers/") {
                    found.insert(id.to_owned(), carrier);
                }
            }
        }
        Ok(ids
            .iter()
            .map(|id| match found.remove(id) {
                Some(carrier) => standing_from(id.clone(), carrier),
                None => CarrierStanding {
                    id: id.clone(),
                    status: Standing::Unknown,
                    capacity: Default::default(),
                    regions: Vec::new(),
                    service_levels: Vec::new(),
                },
            })
            .collect())
    }
}

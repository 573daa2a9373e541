//! gRPC glue for `recourse.carriers.v1.CarrierService`: who may call what,
//! request parsing, and the response. Rules live in `domain`, storage in
//! `repo`, use cases in `registry`.

use recourse_platform::auth::{Role, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, visibility};
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_server::CarrierService;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::domain::{CarrierId, Etag, Region};
use crate::registry::Registry;
use crate::repo::ListFilter;

pub mod events;

/// Roles that may register and change carriers.
const WRITERS: &[Role] = &[Role::Admin, Role::Internal];
/// Roles that may read carriers (partners only their own).
pub(crate) const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::Finance,
    Role::Auditor,
];

/// Names one ListCarriers call may ask for (its largest page).
const MAX_NAMES: usize = 500;

#[derive(Debug, Clone)]
pub struct CarrierApi {
    registry: Registry,
}

impl CarrierApi {
    pub fn new(registry: Registry) -> Self {
        Self { registry }
    }
}

fn parse_name(field: &str, name: &str) -> Result<CarrierId, ApiError> {
    CarrierId::parse_name(name).map_err(|e| ApiError::invalid(field, e))
}

fn parse_etag(field: &str, etag: &str) -> Result<Etag, ApiError> {
    if etag.is_empty() {
        return Err(ApiError::invalid(
            field,
            "is required: send the etag you last read",
        ));
    }
    Etag::parse(etag).map_err(|e| ApiError::invalid(field, e))
}

/// AIP-211: a partner asking about another carrier gets exactly the
/// NOT_FOUND a carrier that does not exist gets (checked before the
/// lookup), so carrier ids cannot be probed across tenants.
fn ensure_visible(
    principal: &recourse_platform::auth::Principal,
    id: &CarrierId,
) -> Result<(), ApiError> {
    visibility::require_carrier(principal, id.as_str(), "carrier", &id.resource_name())
}

#[tonic::async_trait]
impl CarrierService for CarrierApi {
    async fn create_carrier(
        &self,
        request: Request<pb::CreateCarrierRequest>,
    ) -> Result<Response<pb::Carrier>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(WRITERS)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateCarrier", &caller, &body.request_id, &body)?;
        let new = convert::new_carrier(body.carrier)?;
        let created = self.registry.create(key, new, convert::to_proto).await?;
        Ok(Response::new(created))
    }

    async fn get_carrier(
        &self,
        request: Request<pb::GetCarrierRequest>,
    ) -> Result<Response<pb::Carrier>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let id = parse_name("name", &request.get_ref().name)?;
        ensure_visible(caller, &id)?;
        let carrier = self.registry.get(&id).await?;
        Ok(Response::new(convert::to_proto(&carrier)))
    }

    async fn list_carriers(
        &self,
        request: Request<pb::ListCarriersRequest>,
    ) -> Result<Response<pb::ListCarriersResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut violations = recourse_platform::Violations::new();
        let status = match body.status {
            0 => None,
            s => convert::status_from_proto(s).or_else(|| {
                violations.add("status", "is not a carrier status");
                None
            }),
        };
        let kind = match body.kind {
            0 => None,
            k => convert::kind_from_proto(k).or_else(|| {
                violations.add("kind", "is not a carrier kind");
                None
            }),
        };
        let region = match body.region.as_str() {
            "" => None,
            r => Region::parse(r)
                .map_err(|e| violations.add("region", e))
                .ok(),
        };
        let ids = if body.names.is_empty() {
            None
        } else if body.names.len() > MAX_NAMES {
            violations.add(
                "names",
                format!(
                    "must have at most {MAX_NAMES} names (has {})",
                    body.names.len()
                ),
            );
            None
        } else {
            Some(
                body.names
                    .iter()
                    .enumerate()
                    .filter_map(|(i, name)| {
                        CarrierId::parse_name(name)
                            .map_err(|e| violations.add(format!("names[{i}]"), e))
                            .ok()
                    })
                    .collect::<Vec<_>>(),
            )
        };
        violations.into_result()?;
        let only_id = caller
            .carrier_scope()
            .map(|id| CarrierId::from_stored(id.to_owned()));
        let fingerprint = format!(
            "{}|{}|{}|{}|{}",
            body.status,
            body.kind,
            body.region,
            only_id.as_ref().map(CarrierId::as_str).unwrap_or_default(),
            body.names.join(",")
        );
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let filter = ListFilter {
            status,
            kind,
            region,
            only_id,
            ids,
        };
        let (carriers, next_page_token) = self.registry.list(&filter, &page).await?;
        Ok(Response::new(pb::ListCarriersResponse {
            carriers: carriers.iter().map(convert::to_proto).collect(),
            next_page_token,
        }))
    }

    async fn update_carrier(
        &self,
        request: Request<pb::UpdateCarrierRequest>,
    ) -> Result<Response<pb::Carrier>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let body = request.get_ref();
        let Some(carrier) = &body.carrier else {
            return Err(ApiError::invalid("carrier", "is required").into());
        };
        let id = parse_name("carrier.name", &carrier.name)?;
        let etag = parse_etag("carrier.etag", &carrier.etag)?;
        let patch = convert::patch(carrier, body.update_mask.as_ref())?;
        let updated = self.registry.update(&id, etag, patch).await?;
        Ok(Response::new(convert::to_proto(&updated)))
    }

    async fn change_carrier_status(
        &self,
        request: Request<pb::ChangeCarrierStatusRequest>,
    ) -> Result<Response<pb::Carrier>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let body = request.get_ref();
        let mut violations = recourse_platform::Violations::new();
        let id = CarrierId::parse_name(&body.name)
            .map_err(|e| violations.add("name", e))
            .ok();
        let to = convert::status_from_proto(body.status);
        violations.check(to.is_some(), "status", "must be a carrier status");
        let reason = body.reason.trim().to_owned();
        violations.check(!reason.is_empty(), "reason", "is required");
        violations.check(
            reason.chars().count() <= 1000,
            "reason",
            "must be at most 1000 characters",
        );
        let etag = parse_etag("etag", &body.etag)
            .map_err(|_| violations.add("etag", "is required: send the etag you last read"))
            .ok();
        violations.into_result()?;
        let (Some(id), Some(to), Some(etag)) = (id, to, etag) else {
            return Err(ApiError::invalid("request", "is invalid").into());
        };
        let updated = self.registry.change_status(&id, etag, to, reason).await?;
        Ok(Response::new(convert::to_proto(&updated)))
    }
}

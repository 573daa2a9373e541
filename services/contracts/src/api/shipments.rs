//! `recourse.contracts.v1.ShipmentService`. A carrier principal sees its
//! carrier's shipments, a 3PL those its account tendered; anything else is
//! the NOT_FOUND of a shipment that does not exist.

use recourse_platform::auth::{Principal, Role, bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{Violations, visibility};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shipment_service_server::ShipmentService;
use tonic::{Request, Response, Status, Streaming};

use super::invalid_request;
use crate::convert::common::resource_id;
use crate::convert::shipment::{charges_patch, new_shipment, promise_override, shipment_to_proto};
use crate::convert::tracking::event_to_proto;
use crate::repo::shipments::{ShipmentFilter, ShipmentScope};
use crate::shipments::ShipmentBook;

/// Roles that register shipments (carriers: their own carrier; 3PLs: their
/// own account).
const SHIPPERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier, Role::ThirdParty];
/// Roles that read shipments: the readers, plus 3PLs for their own account.
const SHIPMENT_READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
    Role::Auditor,
];
/// Roles that record billing facts.
const BILLING: &[Role] = &[Role::Admin, Role::Internal, Role::Finance];
/// Roles that may override a promise.
const OVERRIDERS: &[Role] = &[Role::Admin, Role::Internal];

#[derive(Debug, Clone)]
pub struct ShipmentApi {
    book: ShipmentBook,
}

impl ShipmentApi {
    pub fn new(book: ShipmentBook) -> Self {
        Self { book }
    }
}

fn shipment_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "shipments", name)
}

/// Whose shipments the caller sees.
fn scope(caller: &Principal) -> ShipmentScope {
    ShipmentScope {
        carrier_id: caller.carrier_scope().map(str::to_owned),
        shipper_account: caller.party_scope().map(str::to_owned),
    }
}

#[tonic::async_trait]
impl ShipmentService for ShipmentApi {
    async fn register_shipment(
        &self,
        request: Request<pb::RegisterShipmentRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(SHIPPERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let key = IdempotencyKey::new("RegisterShipment", &caller, &body.request_id, &body)?;
        let new = new_shipment(&caller, body.shipment.as_ref())?;
        // A 3PL tenders to any carrier, for its own account (forced above).
        if caller.party_scope().is_none() {
            visibility::carrier(&caller, &new.carrier_id)?;
        }
        let registered = self
            .book
            .register(key, token.as_deref(), new, |s| shipment_to_proto(s, None))
            .await?;
        Ok(Response::new(registered))
    }

    async fn get_shipment(
        &self,
        request: Request<pb::GetShipmentRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let mut v = Violations::new();
        let id = shipment_id(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        let id = id.ok_or_else(invalid_request)?;
        let (shipment, last) = self.book.get(&id, &scope(caller)).await?;
        Ok(Response::new(shipment_to_proto(&shipment, last)))
    }

    async fn list_shipments(
        &self,
        request: Request<pb::ListShipmentsRequest>,
    ) -> Result<Response<pb::ListShipmentsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let body = request.get_ref();
        let carrier = super::carrier_filter(caller, &body.carrier, false)?;
        let mut v = Violations::new();
        if !body.tracking_number.is_empty() {
            crate::convert::common::token_like(
                &mut v,
                "tracking_number",
                &body.tracking_number,
                crate::convert::limits::TRACKING_NUMBER,
            );
        }
        v.into_result()?;
        let filter = ShipmentFilter {
            carrier_id: carrier,
            tracking_number: (!body.tracking_number.is_empty())
                .then(|| body.tracking_number.clone()),
            shipper_account: caller.party_scope().map(str::to_owned),
        };
        let fingerprint = format!(
            "{:?}|{:?}|{:?}",
            filter.carrier_id, filter.tracking_number, filter.shipper_account
        );
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (shipments, next_page_token) = self.book.list(&filter, &page).await?;
        Ok(Response::new(pb::ListShipmentsResponse {
            shipments: shipments
                .iter()
                .map(|s| shipment_to_proto(s, None))
                .collect(),
            next_page_token,
        }))
    }

    async fn ingest_tracking_events(
        &self,
        request: Request<Streaming<pb::IngestTrackingEventsRequest>>,
    ) -> Result<Response<pb::IngestTrackingEventsResponse>, Status> {
        super::ingest::ingest(&self.book, request).await
    }

    async fn list_tracking_events(
        &self,
        request: Request<pb::ListTrackingEventsRequest>,
    ) -> Result<Response<pb::ListTrackingEventsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let mut v = Violations::new();
        let id = shipment_id(&mut v, "shipment", &request.get_ref().shipment);
        v.into_result()?;
        let id = id.ok_or_else(invalid_request)?;
        let (shipment, events) = self.book.events(&id, &scope(caller)).await?;
        Ok(Response::new(pb::ListTrackingEventsResponse {
            events: events
                .iter()
                .map(|e| event_to_proto(e, &shipment.tracking_number))
                .collect(),
        }))
    }

    async fn record_shipment_charges(
        &self,
        request: Request<pb::RecordShipmentChargesRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(BILLING)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = shipment_id(&mut v, "name", &body.name);
        let patch = charges_patch(body, &mut v);
        v.into_result()?;
        let (id, (given, patch)) = id.zip(patch).ok_or_else(invalid_request)?;
        let updated = self.book.record_charges(&id, given, patch).await?;
        Ok(Response::new(shipment_to_proto(&updated, None)))
    }

    async fn override_shipment_promise(
        &self,
        request: Request<pb::OverrideShipmentPromiseRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(OVERRIDERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = shipment_id(&mut v, "name", &body.name);
        let promise = promise_override(body, &mut v);
        v.into_result()?;
        let (id, (given, promise)) = id.zip(promise).ok_or_else(invalid_request)?;
        let updated = self.book.override_promise(&id, given, promise).await?;
        Ok(Response::new(shipment_to_proto(&updated, None)))
    }
}

//! `recourse.contracts.v1.ShipmentService`.

use recourse_platform::auth::{Principal, Role, bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shipment_service_server::ShipmentService;
use tonic::{Request, Response, Status, Streaming};

use super::ensure_carrier;
use crate::convert::common::{carrier_id, resource_id};
use crate::convert::shipment::{charges_patch, new_shipment, promise_override};
use crate::repo::shipments::ShipmentFilter;
use crate::shipments::ShipmentBook;

/// Roles that register shipments (carriers: their own carrier; 3PLs: their
/// own account).
const SHIPPERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier, Role::ThirdParty];
/// Roles that push tracking (carriers: their own). Carrier-scoped: not 3PLs.
const TRACKERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier];
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
/// Events written per transaction during ingest.
const INGEST_BATCH: usize = 2_000;

#[derive(Debug, Clone)]
pub struct ShipmentApi {
    book: ShipmentBook,
}

impl ShipmentApi {
    pub fn new(book: ShipmentBook) -> Self {
        Self { book }
    }
}

fn shipment_id(name: &str, field: &str) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let id = resource_id(&mut v, field, "shipments", name);
    v.into_result()?;
    id.ok_or_else(|| ApiError::invalid(field, "is invalid"))
}

/// A 3PL sees only its own account's shipments; everyone else as carriers.
fn ensure_visible(caller: &Principal, carrier_id: &str, account: &str) -> Result<(), ApiError> {
    match caller.party_scope() {
        Some(own) if own == account => Ok(()),
        Some(_) => Err(ApiError::PermissionDenied(
            "this shipment was not tendered by this 3PL account".into(),
        )),
        None => ensure_carrier(caller, carrier_id),
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
            ensure_carrier(&caller, &new.carrier_id)?;
        }
        Ok(Response::new(
            self.book.register(key, token.as_deref(), new).await?,
        ))
    }

    async fn get_shipment(
        &self,
        request: Request<pb::GetShipmentRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let id = shipment_id(&request.get_ref().name, "name")?;
        let shipment = self.book.get(&id).await?;
        ensure_visible(
            caller,
            shipment.carrier.trim_start_matches("carriers/"),
            &shipment.shipper_account,
        )?;
        Ok(Response::new(shipment))
    }

    async fn list_shipments(
        &self,
        request: Request<pb::ListShipmentsRequest>,
    ) -> Result<Response<pb::ListShipmentsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        v.into_result()?;
        let carrier = caller.list_scope(carrier)?;
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
            shipments,
            next_page_token,
        }))
    }

    async fn ingest_tracking_events(
        &self,
        request: Request<Streaming<pb::IngestTrackingEventsRequest>>,
    ) -> Result<Response<pb::IngestTrackingEventsResponse>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(TRACKERS)?;
        let mut stream = request.into_inner();
        let mut summary = pb::IngestTrackingEventsResponse::default();
        let mut pending: Vec<pb::TrackingEvent> = Vec::with_capacity(INGEST_BATCH);
        let mut pending_carrier = String::new();
        let mut pending_first = 0u64;
        let mut next_index = 0u64;
        while let Some(message) = stream.message().await? {
            let count = message.events.len() as u64;
            summary.received += count;
            let mut v = Violations::new();
            let carrier = carrier_id(&mut v, "carrier", &message.carrier);
            let refused = match &carrier {
                None => Some((
                    "INVALID_EVENT",
                    "the message's carrier must be `carriers/{id}`",
                )),
                Some(id) if !caller.can_see_carrier(id) => Some((
                    "WRONG_CARRIER",
                    "a partner may only send its own carrier's events",
                )),
                Some(_) => None,
            };
            if let (Some((reason, detail)), events) = (refused, &message.events) {
                for (offset, event) in events.iter().enumerate() {
                    summary.rejections.push(pb::EventRejection {
                        index: next_index + offset as u64,
                        carrier_event_id: event.carrier_event_id.clone(),
                        reason: reason.to_owned(),
                        detail: detail.to_owned(),
                    });
                }
                next_index += count;
                continue;
            }
            let carrier = carrier.unwrap_or_default();
            if carrier != pending_carrier || pending.len() >= INGEST_BATCH {
                self.flush(&pending_carrier, pending_first, &mut pending, &mut summary)
                    .await?;
                pending_carrier = carrier;
                pending_first = next_index;
            }
            next_index += count;
            pending.extend(message.events);
        }
        self.flush(&pending_carrier, pending_first, &mut pending, &mut summary)
            .await?;
        Ok(Response::new(summary))
    }

    async fn list_tracking_events(
        &self,
        request: Request<pb::ListTrackingEventsRequest>,
    ) -> Result<Response<pb::ListTrackingEventsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(SHIPMENT_READERS)?;
        let id = shipment_id(&request.get_ref().shipment, "shipment")?;
        let shipment = self.book.find(&id).await?;
        ensure_visible(caller, &shipment.carrier_id, &shipment.shipper_account)?;
        Ok(Response::new(pb::ListTrackingEventsResponse {
            events: self.book.events(&id).await?,
        }))
    }

    async fn record_shipment_charges(
        &self,
        request: Request<pb::RecordShipmentChargesRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(BILLING)?;
        let body = request.get_ref();
        let id = shipment_id(&body.name, "name")?;
        let given = etag::parse("etag", &body.etag)?;
        let patch = charges_patch(body)?;
        Ok(Response::new(
            self.book.record_charges(&id, given, patch).await?,
        ))
    }

    async fn override_shipment_promise(
        &self,
        request: Request<pb::OverrideShipmentPromiseRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(OVERRIDERS)?;
        let body = request.get_ref();
        let id = shipment_id(&body.name, "name")?;
        let given = etag::parse("etag", &body.etag)?;
        let promise = promise_override(body)?;
        Ok(Response::new(
            self.book.override_promise(&id, given, promise).await?,
        ))
    }
}

impl ShipmentApi {
    async fn flush(
        &self,
        carrier: &str,
        first: u64,
        pending: &mut Vec<pb::TrackingEvent>,
        summary: &mut pb::IngestTrackingEventsResponse,
    ) -> Result<(), Status> {
        if pending.is_empty() {
            return Ok(());
        }
        for chunk in pending.chunks(INGEST_BATCH).enumerate() {
            let (i, events) = chunk;
            let outcome = self
                .book
                .ingest(carrier, first + (i * INGEST_BATCH) as u64, events)
                .await?;
            summary.stored += outcome.stored;
            summary.duplicates += outcome.duplicates;
            summary.rejections.extend(outcome.rejections);
            summary.ignored.extend(outcome.ignored);
        }
        pending.clear();
        Ok(())
    }
}

//! `recourse.contracts.v1.ShipmentService`.

use recourse_platform::auth::{Role, bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shipment_service_server::ShipmentService;
use tonic::{Request, Response, Status, Streaming};

use super::{READERS, ensure_carrier};
use crate::convert::common::{carrier_id, dimensions, resource_id, weight};
use crate::repo::shipments::ShipmentFilter;
use crate::shipments::{NewShipment, ShipmentBook};

/// Roles that register shipments and push tracking (partners: their own).
const SHIPPERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier];
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

fn token_like(v: &mut Violations, field: &str, value: &str, max: usize) -> String {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    v.check(
        ok,
        field,
        format!("must be 1-{max} letters, digits, spaces, dashes or underscores"),
    );
    value.to_owned()
}

fn new_shipment(s: Option<&pb::Shipment>) -> Result<NewShipment, ApiError> {
    let Some(s) = s else {
        return Err(ApiError::invalid("shipment", "is required"));
    };
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "shipment.carrier", &s.carrier);
    let tracking_number = token_like(&mut v, "shipment.tracking_number", &s.tracking_number, 64);
    let service_level = token_like(&mut v, "shipment.service_level", &s.service_level, 32);
    let origin = token_like(
        &mut v,
        "shipment.origin_postal_code",
        &s.origin_postal_code,
        16,
    );
    let destination = token_like(
        &mut v,
        "shipment.destination_postal_code",
        &s.destination_postal_code,
        16,
    );
    let ship_time = s.ship_time.as_ref().and_then(timestamp_from_proto);
    v.check(ship_time.is_some(), "shipment.ship_time", "is required");
    let weight = weight(&mut v, "shipment.weight", s.weight.as_ref());
    let dims = dimensions(&mut v, "shipment.dimensions", s.dimensions.as_ref());
    let promised = match &s.promised_delivery_time {
        None => None,
        Some(ts) => {
            let parsed = timestamp_from_proto(ts);
            v.check(
                parsed.is_some(),
                "shipment.promised_delivery_time",
                "is not a valid time",
            );
            if let (Some(p), Some(shipped)) = (parsed, ship_time) {
                v.check(
                    p > shipped,
                    "shipment.promised_delivery_time",
                    "must be after ship_time",
                );
            }
            parsed
        }
    };
    v.into_result()?;
    let (Some(carrier_id), Some(ship_time), Some(weight), Some(dimensions)) =
        (carrier, ship_time, weight, dims)
    else {
        return Err(ApiError::invalid("shipment", "is invalid"));
    };
    Ok(NewShipment {
        carrier_id,
        tracking_number,
        service_level,
        origin,
        destination,
        ship_time,
        weight,
        dimensions,
        declared_value: s.declared_value.clone(),
        billed_charge: s.billed_charge.clone(),
        promised,
    })
}

fn shipment_id(name: &str, field: &str) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let id = resource_id(&mut v, field, "shipments", name);
    v.into_result()?;
    id.ok_or_else(|| ApiError::invalid(field, "is invalid"))
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
        let new = new_shipment(body.shipment.as_ref())?;
        ensure_carrier(&caller, &new.carrier_id)?;
        Ok(Response::new(
            self.book.register(key, token.as_deref(), new).await?,
        ))
    }

    async fn get_shipment(
        &self,
        request: Request<pb::GetShipmentRequest>,
    ) -> Result<Response<pb::Shipment>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let id = shipment_id(&request.get_ref().name, "name")?;
        let shipment = self.book.get(&id).await?;
        ensure_carrier(caller, shipment.carrier.trim_start_matches("carriers/"))?;
        Ok(Response::new(shipment))
    }

    async fn list_shipments(
        &self,
        request: Request<pb::ListShipmentsRequest>,
    ) -> Result<Response<pb::ListShipmentsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
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
        };
        let fingerprint = format!("{:?}|{:?}", filter.carrier_id, filter.tracking_number);
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
        caller.require(SHIPPERS)?;
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
        caller.require(READERS)?;
        let id = shipment_id(&request.get_ref().shipment, "shipment")?;
        let shipment = self.book.find(&id).await?;
        ensure_carrier(caller, &shipment.carrier_id)?;
        Ok(Response::new(pb::ListTrackingEventsResponse {
            events: self.book.events(&id).await?,
        }))
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
        }
        pending.clear();
        Ok(())
    }
}

//! `ShipmentService/IngestTrackingEvents`: a client stream of messages,
//! accumulated into batches of up to 2,000 events per transaction. What the
//! answer holds is bounded whatever the stream's size: counts of every
//! outcome, and the first [`MAX_LISTED`] rejected and ignored events each.

use recourse_platform::auth::{Principal, Role, principal};
use recourse_platform::{ApiError, Violations, visibility};
use recourse_proto::contracts as pb;
use tonic::{Request, Response, Status, Streaming};

use crate::convert::common::carrier_id;
use crate::convert::limits::EVENTS_PER_MESSAGE;
use crate::convert::tracking::{incoming, rejection_to_proto};
use crate::shipments::{IncomingEvent, Rejection, ShipmentBook};

/// Roles that push tracking (carriers: their own). Carrier-scoped: not 3PLs.
pub const TRACKERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier];
/// Events written per transaction.
const INGEST_BATCH: usize = 2_000;
/// Rejected (and, separately, ignored) events listed in the answer; the
/// rest are counted. 1,000 rejections of at most ~400 bytes each keep the
/// answer far below the 4 MiB a client accepts by default.
pub const MAX_LISTED: usize = 1_000;

/// The answer being built: counts of everything, the first events listed.
struct Report(pb::IngestTrackingEventsResponse);

impl Report {
    fn reject(&mut self, r: &Rejection) {
        self.0.rejected += 1;
        if self.0.rejections.len() < MAX_LISTED {
            self.0.rejections.push(rejection_to_proto(r));
        }
    }

    fn ignore(&mut self, r: &Rejection) {
        self.0.ignored_count += 1;
        if self.0.ignored.len() < MAX_LISTED {
            self.0.ignored.push(rejection_to_proto(r));
        }
    }
}

/// Events of one carrier waiting to be written, and those of the same
/// messages already refused for a bad field (reported with the batch's, in
/// stream order).
struct Pending {
    carrier: String,
    events: Vec<IncomingEvent>,
    invalid: Vec<Rejection>,
}

/// The carrier a message is for, checked: a malformed message is
/// INVALID_ARGUMENT naming which; another carrier's (for a partner) is the
/// NOT_FOUND any cross-carrier call gets.
fn message_carrier(
    caller: &Principal,
    number: u64,
    message: &pb::IngestTrackingEventsRequest,
) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "carrier", &message.carrier);
    v.check(
        message.events.len() <= EVENTS_PER_MESSAGE,
        "events",
        format!(
            "must have at most {EVENTS_PER_MESSAGE} events per message (message {number} has {})",
            message.events.len()
        ),
    );
    v.into_result()?;
    let carrier = carrier.ok_or_else(super::invalid_request)?;
    visibility::carrier(caller, &carrier)?;
    Ok(carrier)
}

async fn flush(
    book: &ShipmentBook,
    pending: &mut Pending,
    report: &mut Report,
) -> Result<(), ApiError> {
    let mut rejected = std::mem::take(&mut pending.invalid);
    for batch in pending.events.chunks(INGEST_BATCH) {
        let outcome = book.ingest(&pending.carrier, batch).await?;
        report.0.stored += outcome.stored;
        report.0.duplicates += outcome.duplicates;
        rejected.extend(outcome.rejections);
        outcome.ignored.iter().for_each(|r| report.ignore(r));
    }
    rejected.sort_by_key(|r| r.index);
    rejected.iter().for_each(|r| report.reject(r));
    pending.events.clear();
    Ok(())
}

pub async fn ingest(
    book: &ShipmentBook,
    request: Request<Streaming<pb::IngestTrackingEventsRequest>>,
) -> Result<Response<pb::IngestTrackingEventsResponse>, Status> {
    let caller = principal(&request)?.clone();
    caller.require(TRACKERS)?;
    let mut stream = request.into_inner();
    let mut report = Report(pb::IngestTrackingEventsResponse::default());
    let mut pending = Pending {
        carrier: String::new(),
        events: Vec::with_capacity(INGEST_BATCH),
        invalid: Vec::new(),
    };
    let mut next_index = 0u64;
    let mut number = 0u64;
    while let Some(message) = stream.message().await? {
        let carrier = match message_carrier(&caller, number, &message) {
            Ok(carrier) => carrier,
            Err(refused) => {
                // What came before is stored, so the caller knows exactly
                // which messages to send again.
                flush(book, &mut pending, &mut report).await?;
                return Err(refused.into());
            }
        };
        number += 1;
        if carrier != pending.carrier || pending.events.len() >= INGEST_BATCH {
            flush(book, &mut pending, &mut report).await?;
            pending.carrier = carrier;
        }
        for event in &message.events {
            report.0.received += 1;
            match incoming(next_index, event) {
                Ok(parsed) => pending.events.push(parsed),
                Err(rejection) => pending.invalid.push(rejection),
            }
            next_index += 1;
        }
    }
    flush(book, &mut pending, &mut report).await?;
    Ok(Response::new(report.0))
}

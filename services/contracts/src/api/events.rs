//! `recourse.contracts.v1.EventService`: the outbox feed (a carrier
//! principal reads only its carrier's events, never a draft's).

use recourse_proto::contracts as pb;

use super::READERS;
use crate::events::decode;

recourse_platform::event_service!(pb, READERS, decode);

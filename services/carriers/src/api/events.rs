//! `recourse.carriers.v1.EventService`: the registry's change feed (the
//! platform's `Feed`). A carrier principal reads only its own carrier's
//! events; everyone who may read carriers may follow it.

use recourse_proto::carriers as pb;

use super::READERS;
use crate::events::decode;

recourse_platform::event_service!(pb, READERS, decode);

//! `recourse.claims.v1.EventService`: the claims feed (the platform's
//! `Feed`). A carrier sees only its own carrier's changes of submitted
//! claims; a 3PL only the changes of the claims its own account filed, read
//! through the outbox's party index (never remittances, which have no
//! party and no carrier). Who an event is for is decided when it is
//! written (`events`).

use recourse_proto::claims as pb;

use super::READERS;
use crate::events::decode;

recourse_platform::event_service!(pb, READERS, decode);

//! Bounds on what an error status may carry, so every gRPC client can read
//! it. Clients built on grpc-core (Python, C++, Ruby, PHP, C#) refuse
//! response metadata above 8 KiB (soft) / 16 KiB (hard) and then report
//! `RESOURCE_EXHAUSTED: Stream removed` instead of our error; a status echoes
//! its message in `grpc-message` (percent-encoded: up to 3 bytes per byte)
//! and its details in `grpc-status-details-bin` (base64: 4 bytes per 3), and
//! the details repeat the message. With the budgets below the worst case on
//! the wire is 4,000 × 4/3 + 600 × 3 ≈ 7.1 KiB.

use std::borrow::Cow;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt as _};

use super::Violation;

/// Field violations listed in a `BadRequest`, at most; the rest are
/// counted in one summarising entry.
pub const MAX_FIELD_VIOLATIONS: usize = 50;
/// Longest field path, description or echoed name, in characters
/// (ellipsis included).
pub const MAX_ECHO_CHARS: usize = 200;
/// Longest status message, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 600;
/// Largest encoded `google.rpc.Status` details (which repeat the message).
pub const MAX_DETAILS_BYTES: usize = 4_000;
/// The field of the entry that counts the violations not listed.
pub const MORE_VIOLATIONS_FIELD: &str = "(more)";

/// `s` cut to at most `max` characters, the last one an ellipsis when cut;
/// always on a character boundary.
pub fn truncate_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &s[..end]))
        }
    }
}

/// `s` cut to at most `max` bytes (ellipsis included), on a character
/// boundary.
pub fn truncate_bytes(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let budget = max.saturating_sub('…'.len_utf8());
    let end = s
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|end| *end <= budget)
        .last()
        .unwrap_or(0);
    Cow::Owned(format!("{}…", &s[..end]))
}

/// An echoed name or value, bounded.
pub fn echo(s: &str) -> String {
    truncate_chars(s, MAX_ECHO_CHARS).into_owned()
}

/// The message of an INVALID_ARGUMENT: the first violations that fit,
/// then how many more there are.
fn invalid_argument_message(violations: &[Violation]) -> String {
    let mut message = String::from("invalid argument: ");
    let mut shown = 0;
    for v in violations {
        let part = format!(
            "{}{}: {}",
            if shown == 0 { "" } else { "; " },
            truncate_chars(&v.field, 80),
            truncate_chars(&v.description, 120)
        );
        // Keep room for the "and N more" tail.
        if message.len() + part.len() > MAX_MESSAGE_BYTES - 40 && shown > 0 {
            break;
        }
        message.push_str(&part);
        shown += 1;
    }
    if shown < violations.len() {
        message.push_str(&format!(
            "; and {} more (see the BadRequest details)",
            violations.len() - shown
        ));
    }
    truncate_bytes(&message, MAX_MESSAGE_BYTES).into_owned()
}

fn bad_request_status(message: &str, violations: &[Violation], listed: usize) -> Status {
    let mut fields: Vec<FieldViolation> = violations[..listed]
        .iter()
        .map(|v| FieldViolation::new(echo(&v.field), echo(&v.description)))
        .collect();
    let rest = violations.len() - listed;
    if rest > 0 {
        fields.push(FieldViolation::new(
            MORE_VIOLATIONS_FIELD,
            format!(
                "and {rest} more field violations not listed ({listed} of {} shown)",
                violations.len()
            ),
        ));
    }
    Status::with_error_details(
        Code::InvalidArgument,
        message,
        ErrorDetails::with_bad_request(fields),
    )
}

/// An INVALID_ARGUMENT status listing as many of `violations` (at most
/// [`MAX_FIELD_VIOLATIONS`]) as fit [`MAX_DETAILS_BYTES`], in order, plus a
/// summarising entry for the rest.
pub fn invalid_argument(violations: &[Violation]) -> Status {
    let message = invalid_argument_message(violations);
    let mut listed = violations.len().min(MAX_FIELD_VIOLATIONS);
    loop {
        let status = bad_request_status(&message, violations, listed);
        if status.details().len() <= MAX_DETAILS_BYTES || listed == 0 {
            return status;
        }
        // Each listed violation is at most ~410 bytes encoded; drop a few at
        // a time until the details fit.
        listed = listed.saturating_sub(1.max(listed / 8));
    }
}

/// A status whose message and details respect the budgets: the message is
/// cut on a character boundary; details too large to carry are dropped
/// (the code and message still say what happened).
pub fn bounded(status: Status) -> Status {
    let message = truncate_bytes(status.message(), MAX_MESSAGE_BYTES);
    let fits = status.details().len() <= MAX_DETAILS_BYTES;
    if matches!(message, Cow::Borrowed(_)) && fits {
        return status;
    }
    let message = message.into_owned();
    if fits {
        Status::with_details(status.code(), message, status.details().to_vec().into())
    } else {
        Status::new(status.code(), message)
    }
}

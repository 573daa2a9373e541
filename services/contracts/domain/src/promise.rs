//! The promised delivery instant, in the shipment's own time zones.
//!
//! The rule, in order:
//! 1. The **local ship date** is the hand-over instant's date in the
//!    origin's IANA zone (a parcel handed over at 20:00 in Honolulu on
//!    Friday ships on Friday, although it is already Saturday in UTC).
//! 2. The **due date** is that date plus the zone's transit business days,
//!    counted in the origin's calendar ([`BusinessCalendar`]: weekends and
//!    the contract's holidays are skipped).
//! 3. The **commitment** is resolved on the due date in the destination's
//!    zone: a time of day (e.g. 10:30; 00:00 is the midnight at the start of
//!    the day) or the end of the day (24:00, the midnight at its end).
//!    Daylight saving applies: 10:30 in New York is 15:30 UTC in winter and
//!    14:30 UTC in summer. A local time that does not exist (the spring
//!    gap) resolves to the first instant after the gap; a local time that
//!    happens twice (the autumn fold) resolves to the later one, so the
//!    carrier is never held to the earlier reading.
//! 4. The promise is **never at or before the ship time**: when the
//!    commitment on the due date is not after the hand-over (a destination
//!    many hours ahead, or 0 transit days after the commitment time), the
//!    due date moves to the next business day until it is.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::calendar::BusinessCalendar;

/// When on the due date the parcel must be delivered, destination local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Commitment {
    /// Minutes after local midnight (0 = 00:00 at the start of the day).
    TimeOfDay(u32),
    /// 24:00: the end of the due date.
    EndOfDay,
}

/// The origin and destination zones of a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zones {
    /// Where the parcel is handed over: the business calendar's zone.
    pub origin: Tz,
    /// Where it is delivered: the commitment's zone.
    pub destination: Tz,
}

/// Parses an IANA zone name (`America/New_York`); `None` if unknown.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The date of `instant` in `zone`.
pub fn local_date(instant: DateTime<Utc>, zone: Tz) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// The UTC instant of a local wall-clock time in `zone`: the later of two
/// readings in a fold, the end of the gap for a time that does not exist.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps start and end on whole minutes and last at most a few
            // hours: the first local minute that exists is the gap's end.
            let mut probe = local;
            for _ in 0..(26 * 60) {
                probe += chrono::TimeDelta::minutes(1);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                    zone.from_local_datetime(&probe)
                {
                    return t.with_timezone(&Utc);
                }
            }
            local.and_utc()
        }
    }
}

/// The commitment on `date` in `zone`, as a UTC instant.
pub fn commitment_on(date: NaiveDate, commitment: Commitment, zone: Tz) -> DateTime<Utc> {
    let local = match commitment {
        Commitment::TimeOfDay(minute) => {
            let minute = minute.min(24 * 60 - 1);
            let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0)
                .unwrap_or(NaiveTime::MIN);
            date.and_time(time)
        }
        Commitment::EndOfDay => date
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX)
            .and_time(NaiveTime::MIN),
    };
    resolve_local(zone, local)
}

/// The promised delivery instant for a parcel handed over at `ship_time`
/// with `business_days` of transit (rules in the module doc).
pub fn promised_delivery(
    calendar: &BusinessCalendar,
    ship_time: DateTime<Utc>,
    zones: Zones,
    business_days: u32,
    commitment: Commitment,
) -> DateTime<Utc> {
    let ship_date = local_date(ship_time, zones.origin);
    let mut due = calendar.add_business_days(ship_date, business_days);
    let mut promise = commitment_on(due, commitment, zones.destination);
    // At most a few days ahead in any real pair of zones; bounded anyway.
    for _ in 0..14 {
        if promise > ship_time || due == NaiveDate::MAX {
            break;
        }
        due = calendar.add_business_days(due.succ_opt().unwrap_or(NaiveDate::MAX), 0);
        promise = commitment_on(due, commitment, zones.destination);
    }
    promise.max(ship_time + chrono::TimeDelta::seconds(1))
}

#[cfg(test)]
mod tests;

//! The documented maxima of every input of the contracts API (README, "The
//! contracts API", Limits). Above one is INVALID_ARGUMENT naming the field.
//! Amounts are at most `recourse_platform::proto_types::MAX_AMOUNT_MINOR`
//! (10^12 minor units, as in claims) so no sum can overflow; dates and
//! instants are in the years 2000-2099.

/// Rate cards and SLA terms per contract version (one per service level).
pub const SERVICE_LEVELS: usize = 100;
/// Zone-chart rules per rate card.
pub const ZONE_RULES: usize = 20_000;
/// Zones priced per rate card, and transit entries per SLA terms.
pub const ZONES: usize = 100;
/// Weight breaks per zone.
pub const BREAKS: usize = 500;
/// Accessorials per rate card, per quote request and per shipment.
pub const ACCESSORIALS: usize = 100;
/// Heaviest weight (breaks, parcels) in thousandths: 100,000 units.
pub const WEIGHT_THOUSANDTHS: i64 = 100_000_000;
/// Longest side of a parcel in thousandths: 10,000 units.
pub const SIDE_THOUSANDTHS: i64 = 10_000_000;
/// Largest DIM divisor (139 in³/lb and 5000 cm³/kg are typical).
pub const DIM_DIVISOR: u32 = 100_000;
/// Filing windows and required-document entries per liability terms (one
/// per claim type, five types), and kinds per entry.
pub const CLAIM_TYPE_ENTRIES: usize = 10;
/// Holidays per SLA terms.
pub const HOLIDAYS: usize = 1_000;
/// Guarantee suspensions per SLA terms.
pub const SUSPENSIONS: usize = 100;
/// Excusable exception codes per SLA terms.
pub const EXCUSABLE_CODES: usize = 200;
/// Grace after a promise: one week of minutes.
pub const GRACE_MINUTES: u32 = 10_080;
/// First-scan and scan-gap limits: 30 days of hours.
pub const SCAN_HOURS: u32 = 720;
/// Days: filing, refund and appeal windows, carrier clocks.
pub const WINDOW_DAYS: u32 = 3_650;
/// Surcharge lines of a billed charge.
pub const BILLED_SURCHARGES: usize = 100;
/// Tracking events per IngestTrackingEvents message.
pub const EVENTS_PER_MESSAGE: usize = 1_000;

/// Text lengths in characters.
pub const REFERENCE: usize = 64;
pub const DISPLAY_NAME: usize = 200;
pub const TRACKING_NUMBER: usize = 64;
pub const POSTAL_CODE: usize = 16;
pub const ACCOUNT: usize = 64;
pub const REASON: usize = 500;
pub const SUSPENSION_REASON: usize = 200;
pub const EVENT_ID: usize = 128;
pub const LOCATION: usize = 128;
pub const EXCEPTION_CODE: usize = 128;
pub const ZONE: usize = 16;

/// Invoice files (ImportInvoice): bytes, data rows, surcharges per line.
pub const INVOICE_BYTES: usize = 64 * 1024 * 1024;
pub const INVOICE_ROWS: u64 = 200_000;
pub const INVOICE_NUMBER: usize = 64;
/// Parcels in one forecast (a carrier × service level × week).
pub const FORECAST_PARCELS: u32 = 10_000_000;
/// A forecast CSV: bytes, data rows, and row errors listed (the rest are
/// counted).
pub const FORECAST_FILE_BYTES: usize = 4 * 1024 * 1024;
pub const FORECAST_ROWS: u64 = 20_000;
pub const IMPORT_ERRORS_LISTED: usize = 1_000;
/// ISO weeks in one capacity plan.
pub const PLAN_WEEKS: i64 = 53;
/// Days in one returns report.
pub const REPORT_DAYS: i64 = 366;

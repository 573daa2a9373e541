//! The documented maxima of every input the claims API accepts. Each is
//! enforced at the API with `INVALID_ARGUMENT` naming the field, and listed
//! in `docs/rules.md` ("Bounds"). Dates and instants are the platform's
//! (years 2000-2099), as is the amount bound this crate's sums rely on. They keep every sum inside 64-bit minor
//! units, every stored text inside its column and every response inside
//! what any gRPC client accepts.

/// The largest amount accepted anywhere (a line item's unit value, a
/// claim's total, an approval, a remittance and its lines, an allocation,
/// a write-off): 10^12 minor units (10,000,000,000.00 USD). Far above any
/// parcel claim, and low enough that sums over millions of claims stay
/// inside 64-bit minor units; sums are checked all the same.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// Line items per claim.
pub const MAX_LINE_ITEMS: usize = 100;
/// Units of one line item.
pub const MAX_QUANTITY: u32 = 1_000_000;
/// A line item's SKU.
pub const MAX_SKU_CHARS: usize = 64;
/// A line item's description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// A claimant's name and the merchant it files for (`on_behalf_of`).
pub const MAX_NAME_CHARS: usize = 200;
/// Documents attached to one claim (metadata or uploads).
pub const MAX_DOCUMENTS_PER_CLAIM: usize = 100;
/// A claim's notes.
pub const MAX_NOTES_CHARS: usize = 10_000;
/// The reason of a lifecycle move or a write-off, and the justification of
/// a late filing.
pub const MAX_REASON_CHARS: usize = 1_000;
/// A remittance's reference and invoice reference, and a remittance line's
/// claim reference and tracking number.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Lines of one remittance (also the most lines one page of
/// `ListRemittances` carries in total).
pub const MAX_LINES_PER_REMITTANCE: usize = 5_000;
/// Data rows of one remittance CSV (`ImportRemittances`).
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// Bytes of one remittance CSV.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Row errors an import lists; the rest are only counted.
pub const MAX_IMPORT_ERRORS: usize = 1_000;

/// Whether `text` has at most `max` characters (not bytes: a limit a
/// person can count, and the way PostgreSQL's `varchar(n)` counts).
pub fn within(text: &str, max: usize) -> bool {
    text.chars().nth(max).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters() {
        assert!(within("ééé", 3));
        assert!(!within("éééé", 3));
        assert!(within("", 0));
    }
}

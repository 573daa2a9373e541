//! ImportRemittances: the remittances of a file (parsed and grouped by
//! `convert::csv`) recorded one by one, each in its own transaction, so a
//! bad remittance costs its rows and nothing else. Errors are reported by
//! line: the first [`MAX_IMPORT_ERRORS`] by line number are listed, the
//! rest only counted, so a bad file of any size gets an answer any client
//! can read.

use std::collections::BinaryHeap;

use recourse_claims_domain::limits::MAX_IMPORT_ERRORS;
use recourse_platform::auth::Principal;
use recourse_platform::error::bound::truncate_chars;
use recourse_platform::idempotency::IdempotencyKey;

use super::{NewRemittance, RecoveryDesk};
use crate::error::ClaimsError;

/// The longest message listed for a row.
const MAX_MESSAGE_CHARS: usize = 300;

/// One remittance of the file: its rows' line numbers, its own
/// idempotency key (so a re-sent file records nothing twice) and what to
/// record.
#[derive(Debug)]
pub struct ImportGroup {
    pub lines: Vec<u64>,
    pub key: IdempotencyKey,
    pub remittance: NewRemittance,
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportError {
    /// 1-based line of the file.
    pub line: u64,
    pub message: String,
}

/// Row errors: the lowest [`MAX_IMPORT_ERRORS`] lines listed, the others
/// counted.
#[derive(Debug, Default)]
pub struct ImportErrors {
    /// A max-heap, so the highest listed line is dropped first.
    listed: BinaryHeap<ImportError>,
    more: u64,
}

impl ImportErrors {
    pub fn push(&mut self, line: u64, message: String) {
        let message = truncate_chars(&message, MAX_MESSAGE_CHARS).into_owned();
        self.listed.push(ImportError { line, message });
        if self.listed.len() > MAX_IMPORT_ERRORS {
            self.listed.pop();
            self.more += 1;
        }
    }

    /// The listed errors by line, and how many more there were.
    pub fn into_parts(self) -> (Vec<ImportError>, u64) {
        (self.listed.into_sorted_vec(), self.more)
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    /// Data rows in the file.
    pub rows: u64,
    /// Rows now part of a recorded remittance.
    pub imported_rows: u64,
    /// Ids of the remittances recorded (or already recorded by the same file).
    pub remittances: Vec<String>,
    pub errors: ImportErrors,
}

impl RecoveryDesk {
    /// Records each group; a group that fails reports its reason on each of
    /// its rows. Only a fault of ours (a database failure) fails the call.
    pub async fn import(
        &self,
        caller: &Principal,
        rows: u64,
        groups: Vec<ImportGroup>,
        mut errors: ImportErrors,
    ) -> Result<ImportOutcome, ClaimsError> {
        let mut outcome = ImportOutcome {
            rows,
            ..ImportOutcome::default()
        };
        for group in groups {
            match self.record(group.key, caller, group.remittance).await {
                Ok(remittance) => {
                    outcome.imported_rows += group.lines.len() as u64;
                    outcome.remittances.push(remittance.id);
                }
                Err(err @ (ClaimsError::Db(_) | ClaimsError::Internal(_))) => return Err(err),
                Err(err) => {
                    for line in group.lines {
                        errors.push(line, err.to_string());
                    }
                }
            }
        }
        outcome.errors = errors;
        Ok(outcome)
    }
}

//! AIP-158 pagination: `page_size` (bounded) and an opaque `page_token` that
//! remembers the last key returned and the filters it was issued for.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// What to fetch: up to `limit` rows with a key after `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<String>,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Token {
    /// Last key of the previous page.
    a: String,
    /// Filters the token was issued for.
    f: String,
}

impl PageRequest {
    /// `fingerprint` describes the request's filters; a token issued for
    /// other filters is refused rather than silently mixing result sets.
    pub fn parse(page_size: i32, page_token: &str, fingerprint: String) -> Result<Self, ApiError> {
        let limit = match page_size {
            0 => DEFAULT_PAGE_SIZE,
            n if n < 0 => return Err(ApiError::invalid("page_size", "must not be negative")),
            n => u64::try_from(n).unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE),
        };
        let after = if page_token.is_empty() {
            None
        } else {
            let bad = || ApiError::invalid("page_token", "is not a token this API issued");
            let bytes = URL_SAFE_NO_PAD.decode(page_token).map_err(|_| bad())?;
            let token: Token = serde_json::from_slice(&bytes).map_err(|_| bad())?;
            if token.f != fingerprint {
                return Err(ApiError::invalid(
                    "page_token",
                    "was issued for different filters",
                ));
            }
            Some(token.a)
        };
        Ok(Self {
            limit,
            after,
            fingerprint,
        })
    }

    /// Rows to fetch: one more than the page, to learn if another follows.
    pub fn fetch_limit(&self) -> u64 {
        self.limit + 1
    }

    /// Trims `rows` to the page and returns the token for the next one
    /// (empty on the last page).
    pub fn finish<T>(&self, rows: Vec<T>, key: impl Fn(&T) -> String) -> (Vec<T>, String) {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if rows.len() <= limit {
            return (rows, String::new());
        }
        self.cut(rows, limit, key)
    }

    /// [`Self::finish`] for pages that are also bounded by what their rows
    /// hold (lines, bytes): the page ends before the first row `fits`
    /// refuses — `fits` sees every row in order and keeps its own count —
    /// but always holds at least one row, so paging always moves on.
    pub fn finish_while<T>(
        &self,
        rows: Vec<T>,
        key: impl Fn(&T) -> String,
        mut fits: impl FnMut(&T) -> bool,
    ) -> (Vec<T>, String) {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let mut keep = 0;
        for row in rows.iter().take(limit) {
            if !fits(row) && keep > 0 {
                break;
            }
            keep += 1;
        }
        if rows.len() <= keep {
            return (rows, String::new());
        }
        self.cut(rows, keep, key)
    }

    fn cut<T>(
        &self,
        mut rows: Vec<T>,
        keep: usize,
        key: impl Fn(&T) -> String,
    ) -> (Vec<T>, String) {
        rows.truncate(keep);
        let token = rows.last().map(|last| {
            let token = Token {
                a: key(last),
                f: self.fingerprint.clone(),
            };
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default())
        });
        (rows, token.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_means_default_and_large_is_capped() {
        assert_eq!(PageRequest::parse(0, "", String::new()).unwrap().limit, 50);
        assert_eq!(
            PageRequest::parse(10_000, "", String::new()).unwrap().limit,
            500
        );
    }

    #[test]
    fn negative_page_size_is_invalid() {
        assert!(matches!(
            PageRequest::parse(-1, "", String::new()),
            Err(ApiError::InvalidArgument(_))
        ));
    }

    #[test]
    fn token_round_trips_and_is_bound_to_filters() {
        let page = PageRequest::parse(2, "", "status=1".into()).unwrap();
        let (rows, token) = page.finish(vec!["a", "b", "c"], |s| (*s).to_owned());
        assert_eq!(rows, ["a", "b"]);
        let next = PageRequest::parse(2, &token, "status=1".into()).unwrap();
        assert_eq!(next.after.as_deref(), Some("b"));
        assert!(PageRequest::parse(2, &token, "status=2".into()).is_err());
        assert!(PageRequest::parse(2, "garbage!", String::new()).is_err());
    }

    #[test]
    fn a_page_bounded_by_its_rows_contents_ends_early_and_chains() {
        // Rows holding 3, 4, 2 and 9 lines with a budget of 8 lines: the
        // first page is [3, 4] (7 lines; 2 more would make 9), the next
        // starts after the second row.
        let page = PageRequest::parse(10, "", String::new()).unwrap();
        let mut used = 0;
        let (rows, token) = page.finish_while(vec![3, 4, 2, 9], ToString::to_string, |n| {
            used += n;
            used <= 8
        });
        assert_eq!(rows, [3, 4]);
        let next = PageRequest::parse(10, &token, String::new()).unwrap();
        assert_eq!(next.after.as_deref(), Some("4"));
        // A single row over the budget still makes a page of one.
        let mut used = 0;
        let (rows, token) = page.finish_while(vec![9, 1], ToString::to_string, |n| {
            used += n;
            used <= 8
        });
        assert_eq!(rows, [9]);
        assert!(!token.is_empty());
        // Everything fits: the last page has no token.
        let (rows, token) = page.finish_while(vec![1, 2], ToString::to_string, |_| true);
        assert_eq!((rows.len(), token.as_str()), (2, ""));
    }

    #[test]
    fn last_page_has_no_token() {
        let page = PageRequest::parse(5, "", String::new()).unwrap();
        let (rows, token) = page.finish(vec![1, 2], ToString::to_string);
        assert_eq!(rows.len(), 2);
        assert!(token.is_empty());
    }
}

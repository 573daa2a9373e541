//! Progress bars for the long client commands (`recourse remittances
//! import`, `recourse report …`, `recourse demo`), drawn on stderr with
//! `indicatif` only when stderr is a terminal: piped or redirected (CI,
//! scripts, tests) they are hidden and draw nothing.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn on_stderr(bar: ProgressBar, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// A bar over `total` bytes (an upload of a known size).
pub fn bytes(total: u64) -> ProgressBar {
    on_stderr(
        ProgressBar::new(total),
        "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
}

/// A counter of bytes received so far (a download of unknown size).
pub fn download() -> ProgressBar {
    on_stderr(
        ProgressBar::new_spinner(),
        "{spinner} {msg} {bytes} ({bytes_per_sec})",
    )
}

/// A bar over `total` steps.
pub fn steps(total: u64) -> ProgressBar {
    on_stderr(
        ProgressBar::new(total),
        "{msg} [{bar:40}] {pos}/{len} ({eta})",
    )
}

//! Small inline SVG charts for the QBR pack: no font files, no scripts,
//! so the page renders the same offline in any browser.

use std::fmt::Write as _;

/// Escapes text for HTML and SVG.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A line chart of percentages (basis points, `None` = not measured) over
/// labelled points, with an optional dashed target line.
pub fn percent_line(
    title: &str,
    labels: &[String],
    values: &[Option<i64>],
    target_bp: i64,
) -> String {
    let n = labels.len().max(1);
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * (i as f64 + 0.5) / n as f64;
    let y = |bp: i64| TOP + (H - TOP - BOTTOM) * (1.0 - (bp.clamp(0, 10_000) as f64) / 10_000.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    let _ = write!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#fbfbfd\" stroke=\"#d0d4dc\"/>"
    );
    for pct in [0, 25, 50, 75, 100] {
        let gy = y(pct * 100);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{}\" y2=\"{gy:.1}\" stroke=\"#e3e6ec\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">{pct}%</text>",
            W - RIGHT,
            LEFT - 6.0,
            gy + 3.0
        );
    }
    if target_bp > 0 {
        let ty = y(target_bp);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\" stroke=\"#c0392b\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>",
            W - RIGHT
        );
    }
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|bp| format!("{:.1},{:.1}", x(i), y(bp))))
        .collect();
    if !points.is_empty() {
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2.5\"/>",
            points.join(" ")
        );
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(bp) = v {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f6feb\"/>",
                x(i),
                y(*bp)
            );
        }
    }
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x(i),
            H - BOTTOM + 14.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars of non-negative amounts with their labels.
pub fn bars(title: &str, items: &[(String, i64, String)]) -> String {
    let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
    let row = 26.0;
    let height = TOP + row * items.len().max(1) as f64 + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (i, (label, value, caption)) in items.iter().enumerate() {
        let top = TOP + row * i as f64;
        let width = (W - 400.0) * (*value).max(0) as f64 / max as f64;
        let _ = write!(
            svg,
            "<text x=\"160\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">{}</text><rect x=\"168\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"18\" fill=\"#e67e22\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#333\">{}</text>",
            top + 13.0,
            escape(label),
            172.0 + width,
            top + 13.0,
            escape(caption)
        );
    }
    svg.push_str("</svg>");
    svg
}

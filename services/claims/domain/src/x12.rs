//! X12 interchanges: the ISA/GS/ST envelopes around claim transactions
//! (920 out, 926 in), written with their control numbers and counts and
//! read back with every envelope error named by segment position. The
//! transaction bodies (F01, F02, F09, …) are plain [`Segment`]s here; the
//! 920/926 mappings build on this.
//!
//! The delimiters are the interchange's own: ISA is fixed width, so its
//! 4th character is the element separator, its 105th the component
//! separator and its 106th the segment terminator (ISA11 is the repetition
//! separator in 005010). Envelope rules checked on reading: ISA13 = IEA02,
//! GS06 = GE02, ST02 = SE02, SE01 = the transaction's segment count (ST and
//! SE included), GE01 = its transactions, IEA01 = its groups, nothing
//! outside an envelope.

use std::fmt;

pub mod claim920;
pub mod status926;

/// One segment: its id and elements (`elements[0]` is XX01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub id: String,
    pub elements: Vec<String>,
}

impl Segment {
    pub fn new(id: &str, elements: &[&str]) -> Self {
        Self {
            id: id.to_owned(),
            elements: elements.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    /// Element `n` (1-based, as X12 numbers them), "" when absent.
    pub fn element(&self, n: usize) -> &str {
        n.checked_sub(1)
            .and_then(|i| self.elements.get(i))
            .map_or("", String::as_str)
    }
}

/// A transaction set between ST and SE (those two excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub set_id: String,
    pub control_number: String,
    pub segments: Vec<Segment>,
}

/// A functional group (GS … GE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub functional_id: String,
    pub sender: String,
    pub receiver: String,
    /// CCYYMMDD and HHMM.
    pub date: String,
    pub time: String,
    pub control_number: u32,
    pub version: String,
    pub transactions: Vec<Transaction>,
}

/// An interchange (ISA … IEA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    /// (qualifier, id), e.g. ("ZZ", "RECOURSE").
    pub sender: (String, String),
    pub receiver: (String, String),
    /// YYMMDD and HHMM.
    pub date: String,
    pub time: String,
    pub control_number: u32,
    /// P (production) or T (test).
    pub usage: char,
    pub groups: Vec<Group>,
}

/// An envelope error at segment `position` (1-based in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Error {
    pub position: usize,
    pub segment: String,
    pub reason: String,
}

impl fmt::Display for X12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "segment {} ({}): {}",
            self.position, self.segment, self.reason
        )
    }
}

const ELEMENT: char = '*';
const COMPONENT: char = ':';
const REPETITION: char = '^';
const TERMINATOR: char = '~';

fn pad(value: &str, width: usize) -> String {
    format!("{value:<width$}")
}

fn line(out: &mut String, id: &str, elements: &[String]) {
    out.push_str(id);
    for e in elements {
        out.push(ELEMENT);
        out.push_str(e);
    }
    out.push(TERMINATOR);
    out.push('\n');
}

/// The interchange as text, one segment a line (the newline after the
/// terminator is ignored on reading, as most translators do).
pub fn write(interchange: &Interchange) -> String {
    let mut out = String::new();
    let isa = [
        "00".to_owned(),
        pad("", 10),
        "00".to_owned(),
        pad("", 10),
        pad(&interchange.sender.0, 2),
        pad(&interchange.sender.1, 15),
        pad(&interchange.receiver.0, 2),
        pad(&interchange.receiver.1, 15),
        interchange.date.clone(),
        interchange.time.clone(),
        REPETITION.to_string(),
        "00501".to_owned(),
        format!("{:09}", interchange.control_number),
        "0".to_owned(),
        interchange.usage.to_string(),
        COMPONENT.to_string(),
    ];
    line(&mut out, "ISA", &isa);
    for group in &interchange.groups {
        let gs = [
            &group.functional_id,
            &group.sender,
            &group.receiver,
            &group.date,
            &group.time,
            &group.control_number.to_string(),
            "X",
            &group.version,
        ]
        .map(|s| s.to_string());
        line(&mut out, "GS", &gs);
        for t in &group.transactions {
            line(
                &mut out,
                "ST",
                &[t.set_id.clone(), t.control_number.clone()],
            );
            for s in &t.segments {
                line(&mut out, &s.id, &s.elements);
            }
            let count = t.segments.len() + 2;
            line(
                &mut out,
                "SE",
                &[count.to_string(), t.control_number.clone()],
            );
        }
        let ge = [
            group.transactions.len().to_string(),
            group.control_number.to_string(),
        ];
        line(&mut out, "GE", &ge);
    }
    let iea = [
        interchange.groups.len().to_string(),
        format!("{:09}", interchange.control_number),
    ];
    line(&mut out, "IEA", &iea);
    out
}

struct Reader {
    segments: Vec<Segment>,
    at: usize,
    errors: Vec<X12Error>,
}

impl Reader {
    fn error(&mut self, position: usize, segment: &str, reason: impl Into<String>) {
        self.errors.push(X12Error {
            position,
            segment: segment.to_owned(),
            reason: reason.into(),
        });
    }

    /// The next segment if it has `id`.
    fn take(&mut self, id: &str) -> Option<(usize, Segment)> {
        let segment = self.segments.get(self.at)?;
        (segment.id == id).then(|| {
            self.at += 1;
            (self.at, segment.clone())
        })
    }

    fn expect(&mut self, id: &str) -> Option<(usize, Segment)> {
        let found = self.take(id);
        if found.is_none() {
            let (position, got) = match self.segments.get(self.at) {
                Some(s) => (self.at + 1, s.id.clone()),
                None => (self.at + 1, "end of file".to_owned()),
            };
            self.error(position, &got, format!("expected {id}"));
        }
        found
    }

    fn transaction(&mut self) -> Option<Transaction> {
        let (st_at, st) = self.take("ST")?;
        let mut segments = Vec::new();
        while let Some(s) = self.segments.get(self.at) {
            if matches!(s.id.as_str(), "SE" | "ST" | "GE" | "IEA") {
                break;
            }
            segments.push(s.clone());
            self.at += 1;
        }
        if let Some((se_at, se)) = self.expect("SE") {
            let count = segments.len() + 2;
            if se.element(1) != count.to_string() {
                self.error(
                    se_at,
                    "SE",
                    format!(
                        "SE01 is {} but the transaction has {count} segments",
                        se.element(1)
                    ),
                );
            }
            if se.element(2) != st.element(2) {
                self.error(
                    se_at,
                    "SE",
                    format!(
                        "SE02 {} does not match ST02 {}",
                        se.element(2),
                        st.element(2)
                    ),
                );
            }
        }
        if st.element(2).is_empty() {
            self.error(st_at, "ST", "ST02 (control number) is missing");
        }
        Some(Transaction {
            set_id: st.element(1).to_owned(),
            control_number: st.element(2).to_owned(),
            segments,
        })
    }

    fn group(&mut self) -> Option<Group> {
        let (gs_at, gs) = self.take("GS")?;
        let control_number = gs.element(6).parse::<u32>().ok();
        if control_number.is_none() {
            self.error(gs_at, "GS", "GS06 (control number) is not a number");
        }
        let mut transactions = Vec::new();
        while let Some(t) = self.transaction() {
            transactions.push(t);
        }
        if let Some((ge_at, ge)) = self.expect("GE") {
            if ge.element(1) != transactions.len().to_string() {
                self.error(
                    ge_at,
                    "GE",
                    format!(
                        "GE01 is {} but the group has {} transactions",
                        ge.element(1),
                        transactions.len()
                    ),
                );
            }
            if ge.element(2) != gs.element(6) {
                self.error(
                    ge_at,
                    "GE",
                    format!(
                        "GE02 {} does not match GS06 {}",
                        ge.element(2),
                        gs.element(6)
                    ),
                );
            }
        }
        Some(Group {
            functional_id: gs.element(1).to_owned(),
            sender: gs.element(2).to_owned(),
            receiver: gs.element(3).to_owned(),
            date: gs.element(4).to_owned(),
            time: gs.element(5).to_owned(),
            control_number: control_number.unwrap_or_default(),
            version: gs.element(8).to_owned(),
            transactions,
        })
    }
}

fn at_error(reason: &str) -> Vec<X12Error> {
    vec![X12Error {
        position: 1,
        segment: "ISA".into(),
        reason: reason.into(),
    }]
}

/// Reads an interchange; every envelope error found, by segment position.
pub fn parse(text: &str) -> Result<Interchange, Vec<X12Error>> {
    let text = text.trim_start();
    let head: Vec<char> = text.chars().take(106).collect();
    if head.len() < 106 || !text.starts_with("ISA") {
        return Err(at_error(
            "an interchange starts with a 106-character ISA segment",
        ));
    }
    // head[104] (ISA16) is the component separator: no element here is
    // composite, so it is only checked to be a delimiter by its place.
    let (element, terminator) = (head[3], head[105]);
    if element.is_alphanumeric() || terminator.is_alphanumeric() || element == terminator {
        return Err(at_error("ISA does not define usable delimiters"));
    }
    let segments: Vec<Segment> = text
        .split(terminator)
        .map(|s| s.trim_matches(|c| c == '\r' || c == '\n'))
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut parts = s.split(element).map(str::to_owned);
            Segment {
                id: parts.next().unwrap_or_default(),
                elements: parts.collect(),
            }
        })
        .collect();
    let mut reader = Reader {
        segments,
        at: 0,
        errors: Vec::new(),
    };
    let Some((_, isa)) = reader.expect("ISA") else {
        return Err(reader.errors);
    };
    if isa.elements.len() != 16 {
        reader.error(
            1,
            "ISA",
            format!("ISA has {} elements, not 16", isa.elements.len()),
        );
    }
    let control_number = isa.element(13).trim().parse::<u32>().ok();
    if control_number.is_none() {
        reader.error(1, "ISA", "ISA13 (control number) is not a number");
    }
    let mut groups = Vec::new();
    while let Some(group) = reader.group() {
        groups.push(group);
    }
    if let Some((iea_at, iea)) = reader.expect("IEA") {
        if iea.element(1) != groups.len().to_string() {
            reader.error(
                iea_at,
                "IEA",
                format!(
                    "IEA01 is {} but the interchange has {} groups",
                    iea.element(1),
                    groups.len()
                ),
            );
        }
        if iea.element(2) != isa.element(13) {
            reader.error(
                iea_at,
                "IEA",
                format!(
                    "IEA02 {} does not match ISA13 {}",
                    iea.element(2),
                    isa.element(13)
                ),
            );
        }
    }
    if let Some(extra) = reader.segments.get(reader.at).map(|s| s.id.clone()) {
        reader.error(reader.at + 1, &extra, "outside the interchange");
    }
    if !reader.errors.is_empty() {
        return Err(reader.errors);
    }
    Ok(Interchange {
        sender: (
            isa.element(5).trim().to_owned(),
            isa.element(6).trim().to_owned(),
        ),
        receiver: (
            isa.element(7).trim().to_owned(),
            isa.element(8).trim().to_owned(),
        ),
        date: isa.element(9).to_owned(),
        time: isa.element(10).to_owned(),
        control_number: control_number.unwrap_or_default(),
        usage: isa.element(15).chars().next().unwrap_or('P'),
        groups,
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transaction_tests;

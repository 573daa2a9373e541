//! Round trips and envelope errors.

use super::*;

fn sample() -> Interchange {
    Interchange {
        sender: ("ZZ".into(), "RECOURSE".into()),
        receiver: ("02".into(), "ACME".into()),
        date: "261123".into(),
        time: "1805".into(),
        control_number: 42,
        usage: 'T',
        groups: vec![Group {
            functional_id: "GC".into(),
            sender: "RECOURSE".into(),
            receiver: "ACME".into(),
            date: "20261123".into(),
            time: "1805".into(),
            control_number: 7,
            version: "005010".into(),
            transactions: vec![Transaction {
                set_id: "920".into(),
                control_number: "0001".into(),
                // Body segments are opaque to the envelope: placeholder
                // values, not a 920 mapping.
                segments: vec![
                    Segment::new(
                        "F01",
                        &["20261120", "CLM-2026-000123", "50.00", "ACME", "Y"],
                    ),
                    Segment::new("F09", &["2", "EA", "LS", "25.00", "50.00", "Ceramic vase"]),
                ],
            }],
        }],
    }
}

#[test]
fn an_interchange_round_trips_with_fixed_width_isa_and_counts() {
    let text = write(&sample());
    let first = text.lines().next().unwrap();
    // ISA is fixed width: 106 characters with its terminator.
    assert_eq!(first.chars().count(), 106, "{first}");
    assert!(
        text.contains("SE*4*0001~"),
        "ST, F01, F09, SE = 4 segments:\n{text}"
    );
    assert!(
        text.contains("GE*1*7~") && text.contains("IEA*1*000000042~"),
        "{text}"
    );
    assert_eq!(parse(&text), Ok(sample()));
    // Without newlines between segments it reads the same.
    assert_eq!(parse(&text.replace('\n', "")), Ok(sample()));
}

#[test]
fn envelope_errors_name_their_segment() {
    let text = write(&sample());
    let broken = text
        .replace("SE*4*0001~", "SE*5*0002~")
        .replace("GE*1*7~", "GE*2*8~");
    let errors = parse(&broken).unwrap_err();
    let named: Vec<_> = errors
        .iter()
        .map(|e| (e.position, e.segment.as_str()))
        .collect();
    // ISA 1, GS 2, ST 3, F01 4, F09 5, SE 6, GE 7.
    assert_eq!(
        named,
        vec![(6, "SE"), (6, "SE"), (7, "GE"), (7, "GE")],
        "{errors:?}"
    );
    assert!(errors[0].reason.contains("4 segments"), "{}", errors[0]);

    let missing_se = text.replace("SE*4*0001~\n", "");
    let errors = parse(&missing_se).unwrap_err();
    assert_eq!((errors[0].position, errors[0].segment.as_str()), (6, "GE"));
    assert_eq!(errors[0].reason, "expected SE");

    let trailing = format!("{text}ST*920*9~");
    let errors = parse(&trailing).unwrap_err();
    assert_eq!(errors.last().unwrap().reason, "outside the interchange");

    assert!(parse("GS*GC~").is_err());
    assert!(parse(&text.replace("000000042", "00000004x")).is_err());
}

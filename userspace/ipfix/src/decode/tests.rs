//! The decoder's tests: RFC 7011 / RFC 6313 examples built by hand, what it
//! must refuse, and inputs it must not panic on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::*;

// ---------------------------------------------------------------------------
// Builders, for the tests that are not about exact bytes.

/// A message of `sets` (each a whole set, header included).
fn message(sequence: u32, domain: u32, sets: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = sets.concat();
    let length = u16::try_from(HEADER_LEN + body.len()).unwrap();
    let mut m = Vec::new();
    m.extend_from_slice(&10u16.to_be_bytes());
    m.extend_from_slice(&length.to_be_bytes());
    m.extend_from_slice(&1_700_000_000u32.to_be_bytes());
    m.extend_from_slice(&sequence.to_be_bytes());
    m.extend_from_slice(&domain.to_be_bytes());
    m.extend_from_slice(&body);
    m
}

/// A set of id `id` around `body`.
fn set(id: u16, body: &[u8]) -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(&id.to_be_bytes());
    s.extend_from_slice(&u16::try_from(body.len() + 4).unwrap().to_be_bytes());
    s.extend_from_slice(body);
    s
}

fn parse(bytes: &[u8]) -> Message {
    let (msg, used) = parse_message(bytes).unwrap();
    assert_eq!(used, bytes.len());
    msg
}

fn field(id: u16, len: u16) -> FieldSpec {
    FieldSpec { id, pen: 0, len }
}

/// Unwraps an [`DecodeError::InDataSet`] to what was wrong inside.
fn inner(e: DecodeError) -> DecodeError {
    match e {
        DecodeError::InDataSet { source, .. } => *source,
        other => panic!("not in a data set: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// RFC 7011 Appendix A: a template set, then a data set using it.

/// Header, template set (A.2: template 256 of five 4-byte fields), data set
/// (A.3: three records).
#[rustfmt::skip]
const RFC_TEMPLATE_AND_DATA: [u8; 108] = [
    // Message header: version 10, length 108, export time, sequence 0, domain 12345678.
    0x00, 0x0a, 0x00, 0x6c,
    0x65, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    0x00, 0xbc, 0x61, 0x4e,
    // Template set: id 2, length 28.
    0x00, 0x02, 0x00, 0x1c,
    // Template 256, 5 fields.
    0x01, 0x00, 0x00, 0x05,
    0x00, 0x08, 0x00, 0x04, // sourceIPv4Address
    0x00, 0x0c, 0x00, 0x04, // destinationIPv4Address
    0x00, 0x0f, 0x00, 0x04, // ipNextHopIPv4Address
    0x00, 0x02, 0x00, 0x04, // packetDeltaCount, reduced to 4 bytes
    0x00, 0x01, 0x00, 0x04, // octetDeltaCount, reduced to 4 bytes
    // Data set: id 256, length 64.
    0x01, 0x00, 0x00, 0x40,
    192, 0, 2, 12,   192, 0, 2, 254,   192, 0, 2, 1,
    0x00, 0x00, 0x13, 0x91, // 5009
    0x00, 0x51, 0x8c, 0x81, // 5344385
    192, 0, 2, 27,   192, 0, 2, 23,    192, 0, 2, 2,
    0x00, 0x00, 0x02, 0xec, // 748
    0x00, 0x05, 0xef, 0x46, // 388934
    192, 0, 2, 56,   192, 0, 2, 65,    192, 0, 2, 3,
    0x00, 0x00, 0x00, 0x05, // 5
    0x00, 0x00, 0x19, 0x86, // 6534
];

#[test]
fn rfc_template_and_data_set() {
    let msg = parse(&RFC_TEMPLATE_AND_DATA);
    assert_eq!(msg.version, 10);
    assert_eq!(msg.length, 108);
    assert_eq!(msg.export_time, 0x6500_0000);
    assert_eq!(msg.sequence, 0);
    assert_eq!(msg.domain, 12_345_678);
    assert_eq!(msg.sets.len(), 2);
    let Set::Templates(defs) = &msg.sets[0] else {
        panic!("{:?}", msg.sets[0])
    };
    assert_eq!(
        defs,
        &[TemplateDef {
            id: 256,
            scope_count: 0,
            fields: vec![
                field(8, 4),
                field(12, 4),
                field(15, 4),
                field(2, 4),
                field(1, 4)
            ],
        }]
    );
    assert!(matches!(&msg.sets[1], Set::Data { set_id: 256, raw } if raw.len() == 60));

    let mut session = Session::new();
    let records = session.feed(&msg).unwrap();
    assert_eq!(records.len(), 3);
    let r = &records[0];
    assert_eq!(r.template_id, 256);
    assert_eq!(r.get(0, 8).unwrap().as_bytes(), Some(&[192, 0, 2, 12][..]));
    assert_eq!(
        r.get(0, 12).unwrap().as_bytes(),
        Some(&[192, 0, 2, 254][..])
    );
    assert_eq!(r.get(0, 2).and_then(Value::as_u64), Some(5009));
    assert_eq!(r.get(0, 1).and_then(Value::as_u64), Some(5_344_385));
    assert_eq!(records[1].get(0, 1).and_then(Value::as_u64), Some(388_934));
    assert_eq!(records[2].get(0, 2).and_then(Value::as_u64), Some(5));
    assert_eq!(records[2].get(0, 1).and_then(Value::as_u64), Some(6534));
    assert!(r.get(0, 3).is_none());
    assert!(r.get(1, 8).is_none());
    // Three records sent: the next message must say so.
    assert_eq!(session.expected_sequence(12_345_678), Some(3));
    assert_eq!(session.template(12_345_678, 256), Some(&defs[0]));
    assert_eq!(session.templates(12_345_678).count(), 1);
    assert_eq!(session.templates(1).count(), 0);
}

#[test]
fn parse_message_leaves_what_follows() {
    let mut bytes = RFC_TEMPLATE_AND_DATA.to_vec();
    bytes.extend_from_slice(&[0xde, 0xad]);
    let (msg, used) = parse_message(&bytes).unwrap();
    assert_eq!(used, 108);
    assert_eq!(msg.sets.len(), 2);
}

// ---------------------------------------------------------------------------
// Options templates (after RFC 7011 A.4).

/// An options template set: template 258, scope exportingProcessId (144,
/// 4 bytes), then exportedMessageTotalCount (41) and
/// exportedFlowRecordTotalCount (42), 2 bytes each; and a data set of one
/// record.
#[rustfmt::skip]
const OPTIONS_TEMPLATE_AND_DATA: [u8; 52] = [
    0x00, 0x0a, 0x00, 0x34, // version 10, length 52
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, // sequence 0
    0x00, 0x00, 0x00, 0x07, // domain 7
    // Options template set: id 3, length 24 (22, and 2 bytes of padding).
    0x00, 0x03, 0x00, 0x18,
    0x01, 0x02, 0x00, 0x03, // template 258, 3 fields
    0x00, 0x01,             // scope field count 1
    0x00, 0x90, 0x00, 0x04, // exportingProcessId
    0x00, 0x29, 0x00, 0x02, // exportedMessageTotalCount
    0x00, 0x2a, 0x00, 0x02, // exportedFlowRecordTotalCount
    0x00, 0x00,             // padding
    // Data set: id 258, length 12.
    0x01, 0x02, 0x00, 0x0c,
    0x00, 0x00, 0x26, 0x94, // 9876
    0x01, 0x59,             // 345
    0x27, 0xd9,             // 10201
];

#[test]
fn options_template() {
    let msg = parse(&OPTIONS_TEMPLATE_AND_DATA);
    let Set::OptionsTemplates(defs) = &msg.sets[0] else {
        panic!("{:?}", msg.sets[0])
    };
    let def = &defs[0];
    assert_eq!(def.id, 258);
    assert_eq!(def.scope_count, 1);
    assert!(def.is_options());
    assert_eq!(def.scope_fields(), &[field(144, 4)]);
    assert_eq!(def.fields.len(), 3);
    assert_eq!(def.min_record_len(), 8);

    let mut session = Session::new();
    let records = session.feed(&msg).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].template_id, 258);
    assert_eq!(records[0].get(0, 144).and_then(Value::as_u64), Some(9876));
    assert_eq!(records[0].get(0, 41).and_then(Value::as_u64), Some(345));
    assert_eq!(records[0].get(0, 42).and_then(Value::as_u64), Some(10201));
    assert_eq!(session.expected_sequence(7), Some(1));
}

#[test]
fn scope_count_zero_or_above_field_count() {
    for scope in [0u8, 4] {
        let mut bytes = OPTIONS_TEMPLATE_AND_DATA;
        bytes[25] = scope;
        assert_eq!(
            parse_message(&bytes),
            Err(DecodeError::ScopeCount {
                offset: 20,
                template_id: 258,
                scope_count: u16::from(scope),
                field_count: 3,
            })
        );
    }
}

// ---------------------------------------------------------------------------
// Withdrawals (RFC 7011 §8.1).

/// Templates 256 (template) and 258 (options template), domain 7.
fn two_templates(sequence: u32) -> Vec<u8> {
    message(
        sequence,
        7,
        &[
            RFC_TEMPLATE_AND_DATA[16..44].to_vec(),
            OPTIONS_TEMPLATE_AND_DATA[16..40].to_vec(),
        ],
    )
}

#[test]
fn withdrawal() {
    let mut session = Session::new();
    session.feed(&parse(&two_templates(0))).unwrap();
    assert_eq!(session.templates(7).count(), 2);

    // Set 2, length 8: template 256, field count 0.
    #[rustfmt::skip]
    let withdraw_256: [u8; 24] = [
        0x00, 0x0a, 0x00, 0x18, 0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 7,
        0x00, 0x02, 0x00, 0x08,
        0x01, 0x00, 0x00, 0x00,
    ];
    let msg = parse(&withdraw_256);
    assert_eq!(msg.sets, vec![Set::Withdrawals(vec![256])]);
    assert_eq!(session.feed(&msg).unwrap(), vec![]);
    assert!(session.template(7, 256).is_none());
    assert!(session.template(7, 258).is_some());

    // Data for it now is for an unknown template.
    let data = message(0, 7, &[RFC_TEMPLATE_AND_DATA[44..].to_vec()]);
    assert_eq!(
        session.feed(&parse(&data)),
        Err(DecodeError::UnknownTemplate {
            domain: 7,
            set: 0,
            template_id: 256
        })
    );
    // Withdrawing it again is withdrawing an unknown template.
    assert_eq!(
        session.feed(&msg),
        Err(DecodeError::UnknownWithdrawal {
            domain: 7,
            set_id: 2,
            template_id: 256
        })
    );
    // An options template is withdrawn in an options template set, not in a template set.
    let wrong_kind = message(0, 7, &[set(2, &[0x01, 0x02, 0, 0])]);
    assert_eq!(
        session.feed(&parse(&wrong_kind)),
        Err(DecodeError::WithdrawalKind {
            domain: 7,
            set_id: 2,
            template_id: 258
        })
    );
    // Withdraw all options templates: set 3, template id 3.
    let all_options = message(0, 7, &[set(3, &[0, 3, 0, 0])]);
    let msg = parse(&all_options);
    assert_eq!(msg.sets, vec![Set::OptionsWithdrawals(vec![3])]);
    session.feed(&msg).unwrap();
    assert_eq!(session.templates(7).count(), 0);

    // Defined again after its withdrawal, differently: fine.
    let mut redefined = two_templates(0);
    redefined[27] = 1; // sourceIPv4Address becomes length 1.
    session.feed(&parse(&redefined)).unwrap();
    assert_eq!(session.template(7, 256).unwrap().fields[0].len, 1);
    // Withdraw all templates: set 2, template id 2; options templates stay.
    session
        .feed(&parse(&message(0, 7, &[set(2, &[0, 2, 0, 0])])))
        .unwrap();
    assert!(session.template(7, 256).is_none());
    assert!(session.template(7, 258).is_some());
}

#[test]
fn withdrawal_ids() {
    // All templates is 2 in set 2, all options templates 3 in set 3; no other id below 256.
    for (set_id, template_id) in [(2u16, 3u16), (3, 2), (2, 1), (2, 255), (3, 4)] {
        let [hi, lo] = template_id.to_be_bytes();
        let bytes = message(0, 7, &[set(set_id, &[hi, lo, 0, 0])]);
        assert_eq!(
            parse_message(&bytes),
            Err(DecodeError::TemplateId {
                offset: 20,
                set_id,
                template_id
            })
        );
    }
    // All zero: too long for padding (a template id of 0 is never valid).
    assert_eq!(
        parse_message(&message(0, 7, &[set(2, &[0, 0, 0, 0])])),
        Err(DecodeError::Padding {
            offset: 20,
            len: 4,
            min_record: 4,
            nonzero: false
        })
    );
    // Template records below 256 too.
    let bytes = message(0, 7, &[set(2, &[0x00, 0xff, 0, 1, 0, 8, 0, 4])]);
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::TemplateId {
            offset: 20,
            set_id: 2,
            template_id: 255
        })
    );
}

#[test]
fn withdrawal_over_udp() {
    let mut session = Session::new();
    session.udp = true;
    session.feed(&parse(&two_templates(0))).unwrap();
    let msg = parse(&message(0, 7, &[set(2, &[0x01, 0x00, 0, 0])]));
    assert_eq!(
        session.feed(&msg),
        Err(DecodeError::WithdrawalOverUdp {
            domain: 7,
            template_id: 256
        })
    );
    assert!(session.template(7, 256).is_some());
}

#[test]
fn mixed_template_set_is_split_in_order() {
    // Template 300 (one field), withdrawal of 300, template 300 again, differently.
    let body = [
        0x01, 0x2c, 0, 1, 0, 7, 0, 2, //
        0x01, 0x2c, 0, 0, //
        0x01, 0x2c, 0, 1, 0, 7, 0, 4,
    ];
    let msg = parse(&message(0, 7, &[set(2, &body)]));
    assert_eq!(
        msg.sets,
        vec![
            Set::Templates(vec![TemplateDef {
                id: 300,
                scope_count: 0,
                fields: vec![field(7, 2)]
            }]),
            Set::Withdrawals(vec![300]),
            Set::Templates(vec![TemplateDef {
                id: 300,
                scope_count: 0,
                fields: vec![field(7, 4)]
            }]),
        ]
    );
    let mut session = Session::new();
    session.feed(&msg).unwrap();
    assert_eq!(session.template(7, 300).unwrap().fields, vec![field(7, 4)]);
}

// ---------------------------------------------------------------------------
// Template redefinition (RFC 7011 §8.1).

#[test]
fn template_redefinition() {
    let mut session = Session::new();
    session.feed(&parse(&RFC_TEMPLATE_AND_DATA)).unwrap();
    // The same template again: counted, not an error.
    let again = message(3, 12_345_678, &[RFC_TEMPLATE_AND_DATA[16..44].to_vec()]);
    session.feed(&parse(&again)).unwrap();
    assert_eq!(session.template_redefinitions, 1);
    // A different one under the same id, without a withdrawal: an error.
    let mut different = again.clone();
    different[43] = 8; // octetDeltaCount becomes 8 bytes long.
    let Err(DecodeError::TemplateRedefined { domain, old, new }) = session.feed(&parse(&different))
    else {
        panic!("redefinition accepted");
    };
    assert_eq!(domain, 12_345_678);
    assert_eq!(old.fields[4], field(1, 4));
    assert_eq!(new.fields[4], field(1, 8));
    // The failed message changed nothing.
    assert_eq!(session.template(12_345_678, 256), Some(&old));
    assert_eq!(session.template_redefinitions, 1);
    // A template becoming an options template is a redefinition too.
    let options = message(
        3,
        12_345_678,
        &[set(3, &[0x01, 0x00, 0, 1, 0, 1, 0, 0x90, 0, 4])],
    );
    assert!(matches!(
        session.feed(&parse(&options)),
        Err(DecodeError::TemplateRedefined { .. })
    ));
}

// ---------------------------------------------------------------------------
// Variable-length fields (RFC 7011 §7).

/// Template 300: applicationName (96, variable), sourceTransportPort (7, 2).
fn varlen_template() -> Vec<u8> {
    set(2, &[0x01, 0x2c, 0, 2, 0, 96, 0xff, 0xff, 0, 7, 0, 2])
}

#[test]
fn variable_length_short_and_escaped() {
    let mut long = vec![0xff, 0x01, 0x2c]; // 255, then 300
    long.extend(std::iter::repeat_n(b'l', 300));
    long.extend_from_slice(&[0x00, 0x16]);
    let mut data = vec![
        0x03, b'a', b'b', b'c', 0x00, 0x50, // 1-byte length
        0xff, 0x00, 0x03, b'x', b'y', b'z', 0x01, 0xbb, // 3-byte length, short
        0x00, 0x00, 0x35, // empty
    ];
    data.extend_from_slice(&long);
    let bytes = message(0, 1, &[varlen_template(), set(300, &data)]);
    let msg = parse(&bytes);
    let records = Session::new().feed(&msg).unwrap();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].get(0, 96).and_then(Value::as_str), Some("abc"));
    assert_eq!(records[0].get(0, 7).and_then(Value::as_u64), Some(80));
    assert_eq!(records[1].get(0, 96).and_then(Value::as_str), Some("xyz"));
    assert_eq!(records[1].get(0, 7).and_then(Value::as_u64), Some(443));
    assert_eq!(
        records[2].get(0, 96).and_then(Value::as_bytes),
        Some(&[][..])
    );
    assert_eq!(records[2].get(0, 7).and_then(Value::as_u64), Some(53));
    let name = records[3].get(0, 96).and_then(Value::as_str).unwrap();
    assert_eq!(name.len(), 300);
    assert_eq!(records[3].get(0, 7).and_then(Value::as_u64), Some(22));
}

#[test]
fn escaped_length_past_the_end() {
    // 255, then 16 bytes, with only 3 left (and the port missing).
    let data = [0xff, 0x00, 0x10, b'a', b'b', b'c'];
    let msg = parse(&message(0, 1, &[varlen_template(), set(300, &data)]));
    let e = Session::new().feed(&msg).unwrap_err();
    assert!(matches!(
        e,
        DecodeError::InDataSet {
            domain: 1,
            set: 1,
            template_id: 300,
            record: 0,
            ..
        }
    ));
    assert_eq!(
        inner(e),
        DecodeError::Truncated {
            what: "variable-length field",
            offset: 3,
            needed: 16,
            available: 3
        }
    );
    // In the second record: 255, then 1, and no byte left.
    let data = [0x03, b'a', b'b', b'c', 0x00, 0x50, 0xff, 0x00, 0x01];
    let msg = parse(&message(0, 1, &[varlen_template(), set(300, &data)]));
    let e = Session::new().feed(&msg).unwrap_err();
    assert!(matches!(e, DecodeError::InDataSet { record: 1, .. }));
    assert_eq!(
        inner(e),
        DecodeError::Truncated {
            what: "variable-length field",
            offset: 9,
            needed: 1,
            available: 0
        }
    );
    // Fewer bytes than the smallest record (3) are padding, and must be zero.
    let data = [0x03, b'a', b'b', b'c', 0x00, 0x50, 0xff, 0x00];
    let msg = parse(&message(0, 1, &[varlen_template(), set(300, &data)]));
    assert_eq!(
        inner(Session::new().feed(&msg).unwrap_err()),
        DecodeError::Padding {
            offset: 6,
            len: 2,
            min_record: 3,
            nonzero: true
        }
    );
}

// ---------------------------------------------------------------------------
// basicList (RFC 6313 §4.5.1).

/// Template 301: basicList (291, variable), flowId (148, 8).
fn list_template() -> Vec<u8> {
    set(2, &[0x01, 0x2d, 0, 2, 0x01, 0x23, 0xff, 0xff, 0, 148, 0, 8])
}

#[test]
fn basic_list_of_enterprise_unsigned16() {
    #[rustfmt::skip]
    let data = [
        0x0f,                   // basicList, 15 bytes
        0x03,                   // semantic allOf
        0x80, 0x05, 0x00, 0x02, // element 5 with the enterprise bit, 2 bytes each
        0x00, 0x00, 0x72, 0x79, // enterprise 29305
        0x00, 0x50, 0x01, 0xbb, 0x00, 0x16, // 80, 443, 22
        0, 0, 0, 0, 0, 0, 0, 42, // flowId
        // A list of variable-length items: ordered applicationName "a", "bc".
        0x0a, 0x04, 0x00, 0x60, 0xff, 0xff, 0x01, b'a', 0x02, b'b', b'c',
        0, 0, 0, 0, 0, 0, 0, 43,
        // An empty list of IANA sourceTransportPort, semantic undefined.
        0x05, 0xff, 0x00, 0x07, 0x00, 0x02,
        0, 0, 0, 0, 0, 0, 0, 44,
    ];
    let msg = parse(&message(0, 1, &[list_template(), set(301, &data)]));
    let records = Session::new().feed(&msg).unwrap();
    assert_eq!(records.len(), 3);
    let list = records[0]
        .get(0, BASIC_LIST_ID)
        .and_then(Value::as_list)
        .unwrap();
    assert_eq!(list.semantic, SEMANTIC_ALL_OF);
    assert_eq!(
        list.field,
        FieldSpec {
            id: 5,
            pen: 29305,
            len: 2
        }
    );
    assert_eq!(
        list.items,
        vec![vec![0x00, 0x50], vec![0x01, 0xbb], vec![0x00, 0x16]]
    );
    assert_eq!(records[0].get(0, 148).and_then(Value::as_u64), Some(42));
    assert_eq!(
        records[0].get(0, BASIC_LIST_ID).and_then(Value::as_bytes),
        None
    );

    let list = records[1]
        .get(0, BASIC_LIST_ID)
        .and_then(Value::as_list)
        .unwrap();
    assert_eq!(list.semantic, SEMANTIC_ORDERED);
    assert_eq!(list.field, field(96, FieldSpec::VARIABLE));
    assert_eq!(list.items, vec![b"a".to_vec(), b"bc".to_vec()]);

    let list = records[2]
        .get(0, BASIC_LIST_ID)
        .and_then(Value::as_list)
        .unwrap();
    assert_eq!(list.semantic, SEMANTIC_UNDEFINED);
    assert!(list.items.is_empty());
}

#[test]
fn basic_list_items_not_tiling() {
    let tail = [0u8, 0, 0, 0, 0, 0, 0, 42];
    // 2-byte items, 3 bytes of content.
    let mut data = vec![0x08, 0x03, 0x00, 0x07, 0x00, 0x02, 0x00, 0x50, 0x01];
    data.extend_from_slice(&tail);
    let msg = parse(&message(0, 1, &[list_template(), set(301, &data)]));
    assert_eq!(
        inner(Session::new().feed(&msg).unwrap_err()),
        DecodeError::ListTiling {
            offset: 6,
            content_len: 3,
            element_len: 2
        }
    );
    // A variable-length item running past the list's end.
    let mut data = vec![0x07, 0x03, 0x00, 0x60, 0xff, 0xff, 0x02, b'a'];
    data.extend_from_slice(&tail);
    let msg = parse(&message(0, 1, &[list_template(), set(301, &data)]));
    assert_eq!(
        inner(Session::new().feed(&msg).unwrap_err()),
        DecodeError::Truncated {
            what: "basicList item",
            offset: 7,
            needed: 2,
            available: 1
        }
    );
    // Element length 0, unassigned semantic, header cut short.
    for (list, want) in [
        (
            &[0x03, 0x00, 0x07, 0x00, 0x00][..],
            DecodeError::ListElementLength { offset: 4 },
        ),
        (
            &[0x05, 0x00, 0x07, 0x00, 0x02],
            DecodeError::ListSemantic {
                offset: 1,
                semantic: 5,
            },
        ),
        (
            &[0x03, 0x80, 0x07, 0x00, 0x02, 0x00, 0x00],
            DecodeError::Truncated {
                what: "basicList header",
                offset: 6,
                needed: 4,
                available: 2,
            },
        ),
        (
            &[0x03, 0x80, 0x07, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00],
            DecodeError::EnterpriseZero { offset: 6, id: 7 },
        ),
    ] {
        let mut data = vec![u8::try_from(list.len()).unwrap()];
        data.extend_from_slice(list);
        data.extend_from_slice(&tail);
        let msg = parse(&message(0, 1, &[list_template(), set(301, &data)]));
        assert_eq!(inner(Session::new().feed(&msg).unwrap_err()), want);
    }
}

#[test]
fn fixed_length_basic_list() {
    // basicList as a fixed 9-byte field: 2 items of 2 bytes.
    let template = set(2, &[0x01, 0x2e, 0, 1, 0x01, 0x23, 0x00, 0x09]);
    let data = [0x02, 0x00, 0x07, 0x00, 0x02, 0x00, 0x50, 0x01, 0xbb];
    let msg = parse(&message(0, 1, &[template, set(302, &data)]));
    let records = Session::new().feed(&msg).unwrap();
    let list = records[0].values[0].1.as_list().unwrap();
    assert_eq!(list.semantic, SEMANTIC_ONE_OR_MORE_OF);
    assert_eq!(list.items.len(), 2);
}

// ---------------------------------------------------------------------------
// Padding (RFC 7011 §3.3.1).

#[test]
fn padding() {
    // A data set of the RFC's template: two records and 4 zero bytes (< 20).
    let mut data = RFC_TEMPLATE_AND_DATA[48..88].to_vec();
    data.extend_from_slice(&[0, 0, 0, 0]);
    let template = RFC_TEMPLATE_AND_DATA[16..44].to_vec();
    let msg = parse(&message(0, 1, &[template.clone(), set(256, &data)]));
    assert_eq!(Session::new().feed(&msg).unwrap().len(), 2);

    // Not zero.
    *data.last_mut().unwrap() = 1;
    let msg = parse(&message(0, 1, &[template.clone(), set(256, &data)]));
    assert_eq!(
        inner(Session::new().feed(&msg).unwrap_err()),
        DecodeError::Padding {
            offset: 40,
            len: 4,
            min_record: 20,
            nonzero: true
        }
    );
    // Padding only.
    let msg = parse(&message(0, 1, &[template.clone(), set(256, &[0; 8])]));
    assert_eq!(
        inner(Session::new().feed(&msg).unwrap_err()),
        DecodeError::EmptySet {
            offset: 0,
            set_id: 256
        }
    );

    // A template set with 3 zero bytes after its record: fine.
    let mut body = template[4..].to_vec();
    body.extend_from_slice(&[0, 0, 0]);
    assert!(parse_message(&message(0, 1, &[set(2, &body)])).is_ok());
    // 4 zero bytes: not shorter than a withdrawal record.
    body.push(0);
    assert_eq!(
        parse_message(&message(0, 1, &[set(2, &body)])),
        Err(DecodeError::Padding {
            offset: 44,
            len: 4,
            min_record: 4,
            nonzero: false
        })
    );
    // 2 bytes, not zero.
    body.truncate(24);
    body.extend_from_slice(&[0, 1]);
    assert_eq!(
        parse_message(&message(0, 1, &[set(2, &body)])),
        Err(DecodeError::Padding {
            offset: 44,
            len: 2,
            min_record: 4,
            nonzero: true
        })
    );
}

// ---------------------------------------------------------------------------
// Framing errors.

#[test]
fn version_9() {
    let mut bytes = RFC_TEMPLATE_AND_DATA;
    bytes[1] = 9;
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::Version {
            offset: 0,
            version: 9
        })
    );
}

#[test]
fn bad_set_ids() {
    for id in [0u16, 1, 4, 255] {
        let bytes = message(0, 1, &[set(id, &[0, 0, 0, 0])]);
        assert_eq!(
            parse_message(&bytes),
            Err(DecodeError::SetId {
                offset: 16,
                set_id: id
            })
        );
    }
}

#[test]
fn bad_lengths() {
    // Message length past the buffer, and below the header.
    assert_eq!(
        parse_message(&RFC_TEMPLATE_AND_DATA[..100]),
        Err(DecodeError::Truncated {
            what: "message",
            offset: 0,
            needed: 108,
            available: 100
        })
    );
    let mut bytes = RFC_TEMPLATE_AND_DATA;
    bytes[3] = 15;
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::MessageLength {
            offset: 0,
            length: 15
        })
    );
    // The data set's length (64) past the message's end: message length 100.
    let mut bytes = RFC_TEMPLATE_AND_DATA;
    bytes[3] = 100;
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::SetLength {
            offset: 44,
            set_id: 256,
            length: 64,
            available: 56
        })
    );
    // A set length below 4.
    let mut bytes = RFC_TEMPLATE_AND_DATA;
    bytes[47] = 3;
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::SetLength {
            offset: 44,
            set_id: 256,
            length: 3,
            available: 64
        })
    );
    // Sets not tiling the message: 2 bytes left after the last set.
    let mut bytes = message(0, 1, &[RFC_TEMPLATE_AND_DATA[16..44].to_vec(), vec![0, 0]]);
    assert!(matches!(
        parse_message(&bytes),
        Err(DecodeError::Truncated {
            what: "set header",
            offset: 44,
            needed: 4,
            available: 2
        })
    ));
    // A template record cut short by its set's end (4 fields claimed, 3 there).
    bytes = message(
        0,
        1,
        &[set(
            2,
            &[0x01, 0x00, 0, 4, 0, 8, 0, 4, 0, 12, 0, 4, 0, 15, 0, 4],
        )],
    );
    assert!(matches!(
        parse_message(&bytes),
        Err(DecodeError::Truncated {
            what: "field specifier",
            offset: 36,
            needed: 2,
            available: 0
        })
    ));
}

#[test]
fn empty_message_and_sets() {
    assert_eq!(
        parse_message(&message(0, 1, &[])),
        Err(DecodeError::NoSets { offset: 0 })
    );
    for id in [2u16, 3, 256] {
        let bytes = message(0, 1, &[set(id, &[])]);
        assert_eq!(
            parse_message(&bytes),
            Err(DecodeError::EmptySet {
                offset: 16,
                set_id: id
            })
        );
    }
    let bytes = message(0, 1, &[set(3, &[0, 0])]);
    assert_eq!(
        parse_message(&bytes),
        Err(DecodeError::EmptySet {
            offset: 16,
            set_id: 3
        })
    );
}

#[test]
fn enterprise_fields_and_zero_enterprise() {
    // Template 400: enterprise 29305 element 1 (4 bytes), IANA element 1 (8 bytes).
    let body = [
        0x01, 0x90, 0, 2, 0x80, 0x01, 0, 4, 0, 0, 0x72, 0x79, 0, 1, 0, 8,
    ];
    let msg = parse(&message(0, 1, &[set(2, &body)]));
    let Set::Templates(defs) = &msg.sets[0] else {
        panic!()
    };
    assert_eq!(
        defs[0].fields,
        vec![
            FieldSpec {
                id: 1,
                pen: 29305,
                len: 4
            },
            field(1, 8)
        ]
    );
    let mut zero = body;
    zero[10] = 0;
    zero[11] = 0;
    assert_eq!(
        parse_message(&message(0, 1, &[set(2, &zero)])),
        Err(DecodeError::EnterpriseZero { offset: 28, id: 1 })
    );
}

#[test]
fn zero_length_records() {
    // Template 400, one field of fixed length 0: its records could not be delimited.
    let body = [0x01, 0x90, 0, 1, 0, 1, 0, 0];
    assert_eq!(
        parse_message(&message(0, 1, &[set(2, &body)])),
        Err(DecodeError::EmptyRecord {
            offset: 20,
            template_id: 400
        })
    );
    // Nor can a hand-built message bring one in.
    let msg = Message {
        version: 10,
        length: 0,
        export_time: 0,
        sequence: 0,
        domain: 1,
        sets: vec![
            Set::Templates(vec![TemplateDef {
                id: 400,
                scope_count: 0,
                fields: vec![field(1, 0)],
            }]),
            Set::Data {
                set_id: 400,
                raw: vec![0; 4],
            },
        ],
    };
    assert_eq!(
        Session::new().feed(&msg),
        Err(DecodeError::EmptyRecord {
            offset: 0,
            template_id: 400
        })
    );
}

// ---------------------------------------------------------------------------
// Session: unknown templates, sequence numbers, domains.

#[test]
fn unknown_template_strict_or_counted() {
    let data = message(0, 1, &[RFC_TEMPLATE_AND_DATA[44..].to_vec()]);
    let msg = parse(&data);
    let mut session = Session::new();
    assert_eq!(
        session.feed(&msg),
        Err(DecodeError::UnknownTemplate {
            domain: 1,
            set: 0,
            template_id: 256
        })
    );
    assert_eq!(session.unknown_template_sets, 0);

    session.strict = false;
    assert_eq!(session.feed(&msg), Ok(vec![]));
    assert_eq!(session.unknown_template_sets, 1);
    // Its records could not be counted: the next sequence number is taken as is.
    assert_eq!(session.expected_sequence(1), None);
    let msg = parse(&message(1000, 1, &[RFC_TEMPLATE_AND_DATA[16..].to_vec()]));
    assert_eq!(session.feed(&msg).unwrap().len(), 3);
    assert_eq!(session.expected_sequence(1), Some(1003));
}

#[test]
fn data_before_its_template_in_one_message() {
    let bytes = message(
        0,
        1,
        &[
            RFC_TEMPLATE_AND_DATA[44..].to_vec(),
            RFC_TEMPLATE_AND_DATA[16..44].to_vec(),
        ],
    );
    assert!(matches!(
        Session::new().feed(&parse(&bytes)),
        Err(DecodeError::UnknownTemplate { set: 0, .. })
    ));
}

#[test]
fn sequence_numbers() {
    let mut session = Session::new();
    session.feed(&parse(&RFC_TEMPLATE_AND_DATA)).unwrap();
    let data = RFC_TEMPLATE_AND_DATA[44..].to_vec();
    // 3 records sent, so 3 is right and 2 wrong.
    let wrong = parse(&message(2, 12_345_678, std::slice::from_ref(&data)));
    assert_eq!(
        session.feed(&wrong),
        Err(DecodeError::SequenceMismatch {
            domain: 12_345_678,
            expected: 3,
            got: 2
        })
    );
    let right = parse(&message(3, 12_345_678, std::slice::from_ref(&data)));
    session.feed(&right).unwrap();
    assert_eq!(session.expected_sequence(12_345_678), Some(6));
    // Templates only: the number stays.
    let templates = parse(&message(
        6,
        12_345_678,
        &[RFC_TEMPLATE_AND_DATA[16..44].to_vec()],
    ));
    session.feed(&templates).unwrap();
    assert_eq!(session.expected_sequence(12_345_678), Some(6));
    // Another domain counts from 0, and has no templates.
    let other = parse(&message(0, 99, &[RFC_TEMPLATE_AND_DATA[16..44].to_vec()]));
    session.feed(&other).unwrap();
    assert_eq!(session.expected_sequence(99), Some(0));
    assert!(matches!(
        session.feed(&parse(&message(0, 99, std::slice::from_ref(&data)))),
        Ok(records) if records.len() == 3
    ));
    // Modulo 2^32.
    session.set_expected_sequence(5, Some(u32::MAX - 1));
    let wrap = parse(&message(
        u32::MAX - 1,
        5,
        &[RFC_TEMPLATE_AND_DATA[16..].to_vec()],
    ));
    session.feed(&wrap).unwrap();
    assert_eq!(session.expected_sequence(5), Some(1));
    // Not checked.
    session.check_sequence = false;
    session.feed(&wrong).unwrap();
    assert_eq!(session.expected_sequence(12_345_678), Some(5));
}

#[test]
fn expire_templates() {
    let mut session = Session::new();
    session.feed(&parse(&RFC_TEMPLATE_AND_DATA)).unwrap();
    session.expire_templates(12_345_678);
    assert_eq!(session.templates(12_345_678).count(), 0);
    assert_eq!(session.expected_sequence(12_345_678), Some(3));
}

// ---------------------------------------------------------------------------
// Streams (TCP, IPFIX files).

#[test]
fn stream() {
    let mut stream = RFC_TEMPLATE_AND_DATA.to_vec();
    stream.extend_from_slice(&message(
        3,
        12_345_678,
        &[RFC_TEMPLATE_AND_DATA[44..].to_vec()],
    ));
    let messages = parse_stream(&stream).unwrap();
    assert_eq!(messages.len(), 2);
    let mut session = Session::new();
    let n: usize = messages
        .iter()
        .map(|m| session.feed(m).unwrap().len())
        .sum();
    assert_eq!(n, 6);
    assert_eq!(parse_stream(&[]), Ok(vec![]));

    // Cut in the second message's body, then in its header.
    assert_eq!(
        parse_stream(&stream[..stream.len() - 1]),
        Err(DecodeError::Truncated {
            what: "message",
            offset: 108,
            needed: 80,
            available: 79
        })
    );
    assert_eq!(
        parse_stream(&stream[..115]),
        Err(DecodeError::Truncated {
            what: "message header",
            offset: 108,
            needed: 16,
            available: 7
        })
    );
    // An error inside a later message names stream offsets.
    let mut bad = stream.clone();
    bad[108 + 16] = 0; // the data set's id becomes 0
    bad[108 + 17] = 0;
    assert_eq!(
        parse_stream(&bad),
        Err(DecodeError::SetId {
            offset: 124,
            set_id: 0
        })
    );
}

#[test]
fn value_helpers() {
    assert_eq!(Value::Bytes(vec![]).as_u64(), None);
    assert_eq!(Value::Bytes(vec![1; 9]).as_u64(), None);
    assert_eq!(Value::Bytes(vec![0xff; 8]).as_u64(), Some(u64::MAX));
    assert_eq!(Value::Bytes(vec![1, 0, 0]).as_u64(), Some(65536));
    assert_eq!(Value::Bytes(vec![0xff]).as_str(), None);
    assert_eq!(Value::Bytes(b"ok".to_vec()).as_str(), Some("ok"));
    let list = Value::List(BasicList {
        semantic: 3,
        field: field(7, 2),
        items: vec![],
    });
    assert_eq!(list.as_u64(), None);
    assert_eq!(list.as_str(), None);
    assert!(list.as_list().is_some());
    assert!(Value::Bytes(vec![]).as_list().is_none());
}

#[test]
fn errors_display() {
    let e = DecodeError::InDataSet {
        domain: 1,
        set: 2,
        template_id: 256,
        record: 3,
        source: Box::new(DecodeError::Truncated {
            what: "field",
            offset: 4,
            needed: 5,
            available: 6,
        }),
    };
    assert_eq!(
        e.to_string(),
        "domain 1, set #2 (template 256), record #3: truncated field at offset 4: needs 5 bytes, \
         6 left"
    );
    assert!(std::error::Error::source(&e).is_some());
}

// ---------------------------------------------------------------------------
// No input makes it panic.

/// Valid messages of every kind, and a session that knows their templates
/// (its sequence check off, to get past it with any message).
fn corpus() -> (Vec<Vec<u8>>, Session) {
    let mut long = vec![
        0x03, b'a', b'b', b'c', 0x00, 0x50, 0xff, 0x00, 0x03, b'x', b'y', b'z', 1, 2,
    ];
    long.extend_from_slice(&[0xff, 0x01, 0x00]);
    long.extend(std::iter::repeat_n(b'l', 256));
    long.extend_from_slice(&[0, 1]);
    #[rustfmt::skip]
    let lists = [
        0x0f, 0x03, 0x80, 0x05, 0x00, 0x02, 0x00, 0x00, 0x72, 0x79, 0x00, 0x50, 0x01, 0xbb, 0x00, 0x16,
        0, 0, 0, 0, 0, 0, 0, 42,
        0x0a, 0x04, 0x00, 0x60, 0xff, 0xff, 0x01, b'a', 0x02, b'b', b'c',
        0, 0, 0, 0, 0, 0, 0, 43,
    ];
    let corpus = vec![
        RFC_TEMPLATE_AND_DATA.to_vec(),
        OPTIONS_TEMPLATE_AND_DATA.to_vec(),
        message(0, 1, &[varlen_template(), set(300, &long)]),
        message(0, 1, &[list_template(), set(301, &lists)]),
        message(
            0,
            7,
            &[
                set(2, &[0x01, 0x00, 0, 0, 0, 2, 0, 0]),
                set(3, &[0, 3, 0, 0, 0, 0]),
            ],
        ),
    ];
    let mut session = Session::new();
    session.check_sequence = false;
    for bytes in &corpus {
        if let Ok((msg, _)) = parse_message(bytes) {
            let templates: Vec<Set> = msg
                .sets
                .into_iter()
                .filter(|s| !matches!(s, Set::Data { .. }))
                .collect();
            let _ = session.feed(&Message {
                sets: templates,
                ..parse(bytes)
            });
        }
    }
    (corpus, session)
}

/// Parses `bytes` every way, feeds what parses to a copy of `session`, and
/// formats every error; all that matters is that nothing panics. Returns
/// whether a strict session decoded records, to see the inputs get that far.
fn exercise(bytes: &[u8], session: &Session) -> bool {
    let mut decoded = false;
    if let Err(e) = parse_stream(bytes) {
        let _ = e.to_string();
    }
    match parse_message(bytes) {
        Ok((msg, _)) => {
            for strict in [true, false] {
                let mut s = session.clone();
                s.strict = strict;
                match s.feed(&msg) {
                    Ok(records) => decoded |= strict && !records.is_empty(),
                    Err(e) => {
                        let _ = e.to_string();
                    }
                }
            }
            let mut s = session.clone();
            s.udp = true;
            let _ = s.feed(&msg);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    decoded
}

#[test]
fn no_panic_on_truncations() {
    let (corpus, session) = corpus();
    // All but the withdrawals decode to records, whole.
    let whole = corpus
        .iter()
        .filter(|bytes| exercise(bytes, &session))
        .count();
    assert_eq!(whole, corpus.len() - 1);
    for bytes in &corpus {
        assert!(parse_message(bytes).is_ok());
        for end in 0..bytes.len() {
            exercise(&bytes[..end], &session);
            // Cut but with the lengths made to agree, to get past framing.
            let mut cut = bytes[..end].to_vec();
            if cut.len() >= 4 {
                cut[2..4].copy_from_slice(&u16::try_from(end).unwrap().to_be_bytes());
                exercise(&cut, &session);
            }
        }
        // Data sets cut anywhere, framing intact.
        let (msg, _) = parse_message(bytes).unwrap();
        for set in &msg.sets {
            if let Set::Data { set_id, raw } = set {
                for end in 0..raw.len() {
                    let cut = Message {
                        sets: vec![Set::Data {
                            set_id: *set_id,
                            raw: raw[..end].to_vec(),
                        }],
                        ..msg.clone()
                    };
                    let _ = session.clone().feed(&cut);
                }
            }
        }
    }
}

#[test]
fn no_panic_on_bit_flips_and_noise() {
    let (corpus, session) = corpus();
    let mut decoded = 0;
    for bytes in &corpus {
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            decoded += usize::from(exercise(&flipped, &session));
        }
        for at in 0..bytes.len() {
            for value in [0x00, 0xff, 0x80, 0x01] {
                let mut changed = bytes.clone();
                changed[at] = value;
                exercise(&changed, &session);
            }
        }
    }
    // Random changes, a few at a time (xorshift: reproducible, no dependency).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Flips in values still decode: the session knew the templates.
    assert!(decoded > 100, "{decoded}");
    for round in 0..20_000usize {
        let mut bytes = corpus[round % corpus.len()].clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = next() as u8;
        }
        if next() % 4 == 0 {
            bytes.truncate((next() % (bytes.len() as u64 + 1)) as usize);
        }
        exercise(&bytes, &session);
    }
    // Pure noise.
    for len in 0..200usize {
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        exercise(&bytes, &session);
    }
}

//! One transport session's view of the export (RFC 7011 §8, §10): its own
//! sequence number, and which templates it has been sent, so each collector
//! gets a template before the first data set that uses it, again after a
//! reconnect or a new file, and periodically over UDP.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::element_types::Preamble;
use crate::message::{HEADER_LEN, SET_HEADER_LEN};
use crate::template::Template;

/// What was defined when a message was written: the templates by id, and
/// the element type records every session starts with.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    /// Templates by id.
    pub templates: HashMap<u16, Arc<Template>>,
    /// Element type records (RFC 5610), if any.
    pub preamble: Option<Arc<Preamble>>,
}

/// IPFIX version number.
pub const VERSION: u16 = 10;

/// A data message ready to send: its sets, data record count, the
/// templates its data sets use, and the template definitions of the moment.
#[derive(Clone, Debug)]
pub struct Outgoing<'a> {
    /// The sets (no header).
    pub sets: &'a [u8],
    /// Data records in the sets.
    pub records: u32,
    /// Template ids of its data sets.
    pub templates: &'a [u16],
    /// Every template defined when it was written.
    pub defined: &'a Arc<Definitions>,
}

/// Template handling of a transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplatePolicy {
    /// Connection-oriented or file: templates once per session, withdrawals
    /// sent (RFC 7011 §8.1).
    PerSession,
    /// UDP: templates re-sent every interval, never withdrawn (RFC 7011
    /// §10.3.6: UDP relies on template expiry at the collector).
    Refresh(Duration),
}

/// Per-session export state.
#[derive(Debug)]
pub struct StreamState {
    domain: u32,
    policy: TemplatePolicy,
    /// Data records sent in this session (the next message's sequence number).
    sequence: u32,
    sent: HashMap<u16, Arc<Template>>,
    last_refresh: Option<Instant>,
    /// Whether the element type records went out in this session.
    preamble_sent: bool,
}

impl StreamState {
    /// A new session of observation domain `domain`.
    pub fn new(domain: u32, policy: TemplatePolicy) -> StreamState {
        StreamState {
            domain,
            policy,
            sequence: 0,
            sent: HashMap::new(),
            last_refresh: None,
            preamble_sent: false,
        }
    }

    /// Forgets the session (a new connection or file): sequence numbers
    /// start again at 0 and every template will be sent again.
    pub fn reset(&mut self) {
        self.sequence = 0;
        self.sent.clear();
        self.last_refresh = None;
        self.preamble_sent = false;
    }

    /// The messages to send before `msg` (bodies: sets only, each with the
    /// data records it holds), split to fit `mtu`: at the start of a
    /// session the element type records (their options template, then the
    /// records), then the templates this session lacks.
    /// Returns them and how many template records they hold; records them
    /// as sent.
    pub fn templates_before(
        &mut self,
        msg: &Outgoing<'_>,
        now: Instant,
        mtu: usize,
    ) -> (Vec<(Vec<u8>, u32)>, u64) {
        let mut withdraw: Vec<(u16, u16)> = Vec::new();
        let mut send: Vec<Arc<Template>> = Vec::new();
        if let TemplatePolicy::Refresh(every) = self.policy {
            let due = self
                .last_refresh
                .is_some_and(|t| now.saturating_duration_since(t) >= every);
            if due {
                // Re-send what this session uses that is still defined.
                let mut ids: Vec<u16> = self.sent.keys().copied().collect();
                ids.sort_unstable();
                self.sent.clear();
                self.preamble_sent = false;
                for id in ids {
                    if let Some(t) = msg.defined.templates.get(&id) {
                        self.sent.insert(id, t.clone());
                        send.push(t.clone());
                    }
                }
                self.last_refresh = Some(now);
            }
        }
        let preamble = msg
            .defined
            .preamble
            .as_ref()
            .filter(|_| !self.preamble_sent);
        if let Some(p) = preamble {
            let id = p.template.id();
            if self.sent.get(&id).is_none_or(|old| **old != *p.template) {
                self.sent.insert(id, p.template.clone());
                send.push(p.template.clone());
            }
        }
        for id in msg.templates {
            let Some(t) = msg.defined.templates.get(id) else {
                continue;
            };
            match self.sent.get(id) {
                Some(old) if Arc::ptr_eq(old, t) || **old == **t => {}
                Some(old) => {
                    if self.policy == TemplatePolicy::PerSession {
                        withdraw.push((*id, old.set_id()));
                    }
                    self.sent.insert(*id, t.clone());
                    send.push(t.clone());
                }
                None => {
                    self.sent.insert(*id, t.clone());
                    send.push(t.clone());
                }
            }
        }
        if !send.is_empty() && self.last_refresh.is_none() {
            self.last_refresh = Some(now);
        }
        let n = (withdraw.len() + send.len()) as u64;
        let bodies = |withdraw: &[(u16, u16)], send: &[Arc<Template>]| {
            template_bodies(withdraw, send, mtu)
                .into_iter()
                .map(|b| (b, 0))
                .collect::<Vec<_>>()
        };
        let Some(p) = preamble else {
            return (bodies(&withdraw, &send), n);
        };
        // The element type records go before the templates that use their
        // elements: a collector reads a template field with the element
        // type it knows when the template arrives (libfixbuf keeps an
        // element it does not know yet as an octetArray, so a string prints
        // as bytes and an integer in host byte order).
        let (types, rest): (Vec<_>, Vec<_>) =
            send.into_iter().partition(|t| t.id() == p.template.id());
        let mut out = bodies(&withdraw, &types);
        out.extend(p.sets.iter().cloned());
        out.extend(bodies(&[], &rest));
        self.preamble_sent = true;
        (out, n)
    }

    /// The withdrawal message for template `id`, if this session was sent
    /// it and withdraws templates; forgets it.
    pub fn withdraw(&mut self, id: u16) -> Option<Vec<u8>> {
        let old = self.sent.remove(&id)?;
        if self.policy != TemplatePolicy::PerSession {
            return None;
        }
        template_bodies(&[(id, old.set_id())], &[], usize::MAX).pop()
    }

    /// The 16-byte header of a message whose sets are `sets_len` bytes,
    /// carrying `records` data records; advances the sequence number.
    pub fn header(&mut self, sets_len: usize, records: u32, export_time: u32) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..2].copy_from_slice(&VERSION.to_be_bytes());
        // Callers keep messages within 65535 bytes (the mtu is bounded).
        h[2..4].copy_from_slice(&((HEADER_LEN + sets_len) as u16).to_be_bytes());
        h[4..8].copy_from_slice(&export_time.to_be_bytes());
        h[8..12].copy_from_slice(&self.sequence.to_be_bytes());
        h[12..16].copy_from_slice(&self.domain.to_be_bytes());
        self.sequence = self.sequence.wrapping_add(records);
        h
    }

    /// The message whose header was made last did not leave (a failed UDP
    /// send): its `records` were not sent, so they leave the count (RFC 7011
    /// §3.1 counts data records sent) and the next message carries its
    /// sequence number.
    pub fn unsent(&mut self, records: u32) {
        self.sequence = self.sequence.wrapping_sub(records);
    }

    /// The sequence number the next message will carry.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

/// Template and withdrawal sets packed into as few message bodies as fit
/// `mtu` (withdrawals first, then templates; options templates in set 3).
/// A withdrawal is a 4-byte record with field count 0 in either set
/// (RFC 7011 §8.1).
pub fn template_bodies(
    withdraw: &[(u16, u16)],
    send: &[Arc<Template>],
    mtu: usize,
) -> Vec<Vec<u8>> {
    let mut p = SetPacker::new(mtu);
    let mut rec = Vec::new();
    for &(id, set_id) in withdraw {
        rec.clear();
        rec.extend_from_slice(&id.to_be_bytes());
        rec.extend_from_slice(&0u16.to_be_bytes());
        p.put(set_id, &rec);
    }
    for t in send {
        rec.clear();
        t.encode_record(&mut rec);
        p.put(t.set_id(), &rec);
    }
    p.finish()
}

/// Packs records into sets and sets into message bodies of bounded size.
struct SetPacker {
    room: usize,
    bodies: Vec<Vec<u8>>,
    body: Vec<u8>,
    /// Set id and header offset of the open set.
    open: Option<(u16, usize)>,
}

impl SetPacker {
    fn new(mtu: usize) -> SetPacker {
        SetPacker {
            room: mtu.saturating_sub(HEADER_LEN),
            bodies: Vec::new(),
            body: Vec::new(),
            open: None,
        }
    }

    fn put(&mut self, set_id: u16, rec: &[u8]) {
        let same = self.open.is_some_and(|(id, _)| id == set_id);
        let extra = rec.len() + if same { 0 } else { SET_HEADER_LEN };
        if !self.body.is_empty() && self.body.len() + extra > self.room {
            self.close();
            self.bodies.push(std::mem::take(&mut self.body));
        }
        if self.open.map(|(id, _)| id) != Some(set_id) {
            self.close();
            self.open = Some((set_id, self.body.len()));
            self.body.extend_from_slice(&set_id.to_be_bytes());
            self.body.extend_from_slice(&[0, 0]);
        }
        self.body.extend_from_slice(rec);
    }

    /// Writes the length of the open set.
    fn close(&mut self) {
        if let Some((_, start)) = self.open.take() {
            let len = self.body.len() - start;
            // Bounded by the mtu (≤ 65535).
            self.body[start + 2..start + 4].copy_from_slice(&(len as u16).to_be_bytes());
        }
    }

    fn finish(mut self) -> Vec<Vec<u8>> {
        self.close();
        if !self.body.is_empty() {
            self.bodies.push(self.body);
        }
        self.bodies
    }
}

//! A collector's state for one transport session (RFC 7011 §8): templates
//! and sequence numbers, per observation domain.

use std::collections::BTreeMap;

use super::data::read_data_set;
use super::{DecodeError, Message, Record, Set, TemplateDef};

/// What a session knows of one observation domain.
#[derive(Debug, Clone)]
struct Domain {
    /// Templates and options templates in force, by id.
    templates: BTreeMap<u16, TemplateDef>,
    /// The sequence number the next message must carry; `None` once a data
    /// set could not be decoded (its records could not be counted), until the
    /// next message sets it again.
    expected_sequence: Option<u32>,
}

impl Domain {
    fn new() -> Self {
        Domain {
            templates: BTreeMap::new(),
            expected_sequence: Some(0),
        }
    }
}

/// A collector's state for one transport session (a UDP source, a TCP
/// connection, or an IPFIX file), kept per observation domain: feed it the
/// session's messages in order and it returns their data records.
///
/// [`Session::feed`] checks, per domain:
/// - the header's sequence number is the count of data records the domain
///   sent before the message, modulo 2^32 (from 0 at the domain's first
///   message; see [`Session::set_expected_sequence`]), unless
///   [`Session::check_sequence`] is off;
/// - a template id is not defined again differently without a withdrawal
///   (identical re-definitions are counted in
///   [`Session::template_redefinitions`]);
/// - withdrawals name a template in force, of the kind their set withdraws
///   (set 2: templates, 3: options templates), and, if [`Session::udp`],
///   do not come at all;
/// - data sets use a template in force (else an error if [`Session::strict`],
///   else counted in [`Session::unknown_template_sets`]);
/// - records fill data sets exactly, but for zero padding shorter than the
///   template's smallest record; values fit; basicLists are well formed.
///
/// Templates and withdrawals apply in message order: a data set may use a
/// template defined earlier in the same message. A message that fails
/// changes nothing: neither templates, sequence numbers nor counters.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whether a data set for an unknown template is an error (the default),
    /// or is skipped and counted. Over UDP a collector may receive data
    /// before the templates it needs.
    pub strict: bool,
    /// Whether a wrong sequence number is an error (the default).
    pub check_sequence: bool,
    /// Whether the session is over UDP, where withdrawals are an error
    /// (RFC 7011 §8.4). Off by default.
    pub udp: bool,
    /// Templates received again identical to the one in force.
    pub template_redefinitions: u64,
    /// Data sets skipped for an unknown template (when not [`Session::strict`]).
    pub unknown_template_sets: u64,
    domains: BTreeMap<u32, Domain>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session that has seen nothing: strict, checking sequence numbers,
    /// not UDP.
    pub fn new() -> Self {
        Session {
            strict: true,
            check_sequence: true,
            udp: false,
            template_redefinitions: 0,
            unknown_template_sets: 0,
            domains: BTreeMap::new(),
        }
    }

    /// The sequence number the next message of `domain` must carry: 0 for a
    /// domain not seen yet; `None` after a skipped data set (any number is
    /// then accepted once).
    pub fn expected_sequence(&self, domain: u32) -> Option<u32> {
        match self.domains.get(&domain) {
            Some(d) => d.expected_sequence,
            None => Some(0),
        }
    }

    /// Sets the sequence number the next message of `domain` must carry
    /// (`None`: any), e.g. for a collector that joins a UDP export late.
    pub fn set_expected_sequence(&mut self, domain: u32, sequence: Option<u32>) {
        self.domains
            .entry(domain)
            .or_insert_with(Domain::new)
            .expected_sequence = sequence;
    }

    /// The template or options template `id` in force in `domain`.
    pub fn template(&self, domain: u32, id: u16) -> Option<&TemplateDef> {
        self.domains.get(&domain)?.templates.get(&id)
    }

    /// The templates and options templates in force in `domain`, by id.
    pub fn templates(&self, domain: u32) -> impl Iterator<Item = &TemplateDef> {
        self.domains
            .get(&domain)
            .into_iter()
            .flat_map(|d| d.templates.values())
    }

    /// Forgets `domain`'s templates, as a UDP collector does when their
    /// lifetime ends (RFC 7011 §8.4); its sequence number is kept.
    pub fn expire_templates(&mut self, domain: u32) {
        if let Some(d) = self.domains.get_mut(&domain) {
            d.templates.clear();
        }
    }

    /// Takes in the next message of the session: checks its sequence number,
    /// learns and withdraws templates, and decodes its data sets into records,
    /// in order. On error the session is left as it was.
    pub fn feed(&mut self, msg: &Message) -> Result<Vec<Record>, DecodeError> {
        let domain_id = msg.domain;
        let mut domain = match self.domains.get(&domain_id) {
            Some(d) => d.clone(),
            None => Domain::new(),
        };
        if self.check_sequence {
            if let Some(expected) = domain.expected_sequence {
                if expected != msg.sequence {
                    return Err(DecodeError::SequenceMismatch {
                        domain: domain_id,
                        expected,
                        got: msg.sequence,
                    });
                }
            }
        }
        let mut redefinitions = 0u64;
        let mut unknown = 0u64;
        let mut records = Vec::new();
        for (index, set) in msg.sets.iter().enumerate() {
            match set {
                Set::Templates(defs) => {
                    redefinitions =
                        redefinitions.saturating_add(learn(&mut domain, domain_id, defs, false)?);
                }
                Set::OptionsTemplates(defs) => {
                    redefinitions =
                        redefinitions.saturating_add(learn(&mut domain, domain_id, defs, true)?);
                }
                Set::Withdrawals(ids) => self.withdraw(&mut domain, domain_id, ids, false)?,
                Set::OptionsWithdrawals(ids) => self.withdraw(&mut domain, domain_id, ids, true)?,
                Set::Data { set_id, raw } => match domain.templates.get(set_id) {
                    Some(template) => {
                        let decoded = read_data_set(raw, template).map_err(|(record, e)| {
                            DecodeError::InDataSet {
                                domain: domain_id,
                                set: index,
                                template_id: *set_id,
                                record,
                                source: Box::new(e),
                            }
                        })?;
                        records.extend(decoded);
                    }
                    None if self.strict => {
                        return Err(DecodeError::UnknownTemplate {
                            domain: domain_id,
                            set: index,
                            template_id: *set_id,
                        });
                    }
                    None => unknown = unknown.saturating_add(1),
                },
            }
        }
        // The count is modulo 2^32 (RFC 7011 §3.1): truncating is the point.
        domain.expected_sequence = if unknown == 0 {
            Some(msg.sequence.wrapping_add(records.len() as u32))
        } else {
            None
        };
        self.domains.insert(domain_id, domain);
        self.template_redefinitions = self.template_redefinitions.saturating_add(redefinitions);
        self.unknown_template_sets = self.unknown_template_sets.saturating_add(unknown);
        Ok(records)
    }

    /// Applies the withdrawals `ids` of a template set (`options` false) or an
    /// options template set (true).
    fn withdraw(
        &self,
        domain: &mut Domain,
        domain_id: u32,
        ids: &[u16],
        options: bool,
    ) -> Result<(), DecodeError> {
        let set_id = if options { 3 } else { 2 };
        for &template_id in ids {
            if self.udp {
                return Err(DecodeError::WithdrawalOverUdp {
                    domain: domain_id,
                    template_id,
                });
            }
            if template_id == set_id {
                domain.templates.retain(|_, t| t.is_options() != options);
                continue;
            }
            if template_id < 256 {
                return Err(DecodeError::TemplateId {
                    offset: 0,
                    set_id,
                    template_id,
                });
            }
            match domain.templates.get(&template_id) {
                None => {
                    return Err(DecodeError::UnknownWithdrawal {
                        domain: domain_id,
                        set_id,
                        template_id,
                    })
                }
                Some(t) if t.is_options() != options => {
                    return Err(DecodeError::WithdrawalKind {
                        domain: domain_id,
                        set_id,
                        template_id,
                    })
                }
                Some(_) => {
                    domain.templates.remove(&template_id);
                }
            }
        }
        Ok(())
    }
}

/// Learns the (options, if `options`) templates `defs`; returns how many
/// were identical re-definitions.
fn learn(
    domain: &mut Domain,
    domain_id: u32,
    defs: &[TemplateDef],
    options: bool,
) -> Result<u64, DecodeError> {
    let mut identical = 0u64;
    for def in defs {
        def.check(options, 0)?;
        match domain.templates.get(&def.id) {
            Some(old) if old == def => identical = identical.saturating_add(1),
            Some(old) => {
                return Err(DecodeError::TemplateRedefined {
                    domain: domain_id,
                    old: old.clone(),
                    new: def.clone(),
                })
            }
            None => {
                domain.templates.insert(def.id, def.clone());
            }
        }
    }
    Ok(identical)
}

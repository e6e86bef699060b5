//! Flow rules: the actions new flows get, from a TOML file (PF_RING FT's
//! `pfring_ft_load_configuration`, `set_filter_protocol_by_name`,
//! `set_shunt_protocol_by_name` and `set_default_action`).
//!
//! ```toml
//! default_action = "forward"   # for flows no rule names (default: "default")
//!
//! [filter]                     # protocol = action
//! udp = "discard"
//!
//! [shunt]                      # protocol = packets before the flow is discarded
//! tcp = 20
//!
//! [[rule]]                     # first matching rule wins; all keys optional
//! proto = "tcp"                # tcp, udp, icmp, icmpv6, sctp, or a number
//! port = 443                   # either endpoint's port
//! net = "10.1.0.0/16"          # either endpoint's address
//! action = "discard"
//! shunt = 10                   # packets before discard
//! ```
//!
//! `[[rule]]` entries are tried first, in file order, then `[filter]` and
//! `[shunt]` entries. Protocol names are transport protocols for now;
//! application (L7) names such as `TLS` need L7 detection and are rejected
//! with an error saying so.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;

use crate::decode::IpProto;
use crate::flow::{Action, FlowKey};
use crate::l7::L7Proto;

/// Most rules a table holds (a flow stores its rule as a `u8`, 0 = none).
pub const MAX_RULES: usize = 255;

/// An address prefix such as `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    /// 4 or 6.
    pub ip_version: u8,
    /// Address bits (IPv4 in bytes 0..4), host bits cleared.
    pub addr: [u8; 16],
    /// Prefix length.
    pub len: u8,
}

impl Prefix {
    /// Parses `addr/len` (or a bare address, meaning the full length).
    pub fn parse(s: &str) -> Result<Prefix, String> {
        let (a, l) = s.split_once('/').unwrap_or((s, ""));
        let ip: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("'{s}' is not an address prefix"))?;
        let (ip_version, bytes, max) = match ip {
            IpAddr::V4(v4) => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&v4.octets());
                (4, b, 32u8)
            }
            IpAddr::V6(v6) => (6, v6.octets(), 128u8),
        };
        let len = if l.is_empty() {
            max
        } else {
            l.trim()
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= max)
                .ok_or_else(|| format!("'{s}': prefix length must be 0..={max}"))?
        };
        let mut addr = bytes;
        for (i, b) in addr.iter_mut().enumerate() {
            let keep = (usize::from(len)).saturating_sub(i * 8).min(8);
            *b &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
        }
        Ok(Prefix {
            ip_version,
            addr,
            len,
        })
    }

    /// True if `addr` (of `ip_version`) is inside the prefix.
    pub fn contains(&self, ip_version: u8, addr: &[u8; 16]) -> bool {
        if ip_version != self.ip_version {
            return false;
        }
        let len = usize::from(self.len);
        let full = len / 8;
        if addr[..full] != self.addr[..full] {
            return false;
        }
        let rem = len % 8;
        rem == 0 || (addr[full] & (0xffu8 << (8 - rem))) == self.addr[full]
    }
}

/// One rule: what matches, and what a matching flow gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// Transport protocol, any if `None`.
    pub proto: Option<IpProto>,
    /// Application protocol; a rule with one is matched when L7 detection
    /// finishes, not when the flow is created.
    pub l7: Option<L7Proto>,
    /// Port of either endpoint, any if `None`.
    pub port: Option<u16>,
    /// Prefix containing either endpoint, any if `None`.
    pub net: Option<Prefix>,
    /// Action of matching flows.
    pub action: Action,
    /// Packets a matching flow may have before `process` returns
    /// [`Action::Discard`] for it (PF_RING FT's shunt), if set.
    pub shunt_after: Option<u64>,
    /// Frame bytes (both directions) a matching flow may have before
    /// `process` returns [`Action::Discard`] for it, if set.
    pub shunt_bytes: Option<u64>,
}

impl Rule {
    /// True if the flow with `key` matches.
    pub fn matches(&self, key: &FlowKey) -> bool {
        self.proto.is_none_or(|p| p == key.proto)
            && self
                .port
                .is_none_or(|p| key.has_ports() && (p == key.lo_port || p == key.hi_port))
            && self.net.is_none_or(|n| {
                n.contains(key.ip_version, &key.lo_addr) || n.contains(key.ip_version, &key.hi_addr)
            })
    }
}

/// The rule set of a table and its default action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules {
    /// Action returned for flows whose own action is [`Action::Default`].
    pub default_action: Action,
    /// Rules, tried in order; at most [`MAX_RULES`].
    pub rules: Vec<Rule>,
}

/// A rules file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    /// The file (or `"<string>"`).
    pub file: String,
    /// What is wrong, with the line when known.
    pub reason: String,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)
    }
}

impl std::error::Error for RulesError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRules {
    default_action: Option<String>,
    #[serde(default)]
    filter: BTreeMap<String, String>,
    #[serde(default)]
    shunt: BTreeMap<String, u64>,
    #[serde(default)]
    shunt_bytes: BTreeMap<String, u64>,
    #[serde(default)]
    rule: Vec<FileRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    proto: Option<toml::Value>,
    port: Option<u16>,
    net: Option<String>,
    action: Option<String>,
    shunt: Option<u64>,
    shunt_bytes: Option<u64>,
}

impl Rules {
    /// Reads a rules file (format in the module docs).
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        Rules::parse(&text).map_err(|reason| RulesError { file, reason })
    }

    /// Parses rules from TOML text.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let f: FileRules = toml::from_str(text).map_err(|e| e.to_string())?;
        let default_action = match f.default_action {
            Some(a) => a.parse().map_err(|e| format!("default_action: {e}"))?,
            None => Action::Default,
        };
        let mut rules = Vec::new();
        for (i, r) in f.rule.into_iter().enumerate() {
            let at = |e: String| format!("rule #{}: {e}", i + 1);
            let (proto, l7) = match r.proto {
                None => (None, None),
                Some(toml::Value::Integer(n)) => (
                    Some(IpProto(
                        u8::try_from(n).map_err(|_| at(format!("proto {n} is not 0..=255")))?,
                    )),
                    None,
                ),
                Some(toml::Value::String(s)) => match protocol(&s).map_err(at)? {
                    Proto::Any => (None, None),
                    Proto::Transport(p) => (Some(p), None),
                    Proto::App(a) => (None, Some(a)),
                },
                Some(v) => {
                    return Err(at(format!(
                        "proto must be a name or a number, not {}",
                        v.type_str()
                    )))
                }
            };
            let net = r
                .net
                .as_deref()
                .map(Prefix::parse)
                .transpose()
                .map_err(at)?;
            if r.action.is_none() && r.shunt.is_none() && r.shunt_bytes.is_none() {
                return Err(at("needs an action, shunt or shunt_bytes".into()));
            }
            let action = match r.action {
                Some(a) => a.parse().map_err(at)?,
                None => Action::Default,
            };
            rules.push(Rule {
                proto,
                l7,
                port: r.port,
                net,
                action,
                shunt_after: r.shunt,
                shunt_bytes: r.shunt_bytes,
            });
        }
        for (name, a) in defaults_last(&f.filter) {
            let mut rule = Rule::for_protocol(name).map_err(|e| format!("[filter]: {e}"))?;
            rule.action = a.parse().map_err(|e| format!("[filter] {name}: {e}"))?;
            rules.push(rule);
        }
        for (name, &n) in defaults_last(&f.shunt) {
            let mut rule = Rule::for_protocol(name).map_err(|e| format!("[shunt]: {e}"))?;
            rule.shunt_after = Some(n);
            rules.push(rule);
        }
        for (name, &n) in defaults_last(&f.shunt_bytes) {
            let mut rule = Rule::for_protocol(name).map_err(|e| format!("[shunt_bytes]: {e}"))?;
            rule.shunt_bytes = Some(n);
            rules.push(rule);
        }
        if rules.len() > MAX_RULES {
            return Err(format!("{} rules; at most {MAX_RULES}", rules.len()));
        }
        Ok(Rules {
            default_action,
            rules,
        })
    }

    /// Index + 1 of the first rule without an application protocol
    /// matching `key` (a new flow), 0 if none.
    pub fn lookup(&self, key: &FlowKey) -> u8 {
        self.position(|r| r.l7.is_none() && r.matches(key))
    }

    /// Index + 1 of the first rule for application protocol `l7` matching
    /// `key` (a flow whose detection just finished), 0 if none.
    pub fn lookup_l7(&self, key: &FlowKey, l7: L7Proto) -> u8 {
        self.position(|r| r.l7 == Some(l7) && r.matches(key))
    }

    /// True if some rule names an application protocol.
    pub fn has_l7_rules(&self) -> bool {
        self.rules.iter().any(|r| r.l7.is_some())
    }

    fn position(&self, f: impl Fn(&Rule) -> bool) -> u8 {
        self.rules
            .iter()
            .position(f)
            .map_or(0, |i| u8::try_from(i + 1).unwrap_or(0))
    }

    /// The rule with index + 1 `id` (from [`Rules::lookup`]).
    pub fn get(&self, id: u8) -> Option<&Rule> {
        usize::from(id)
            .checked_sub(1)
            .and_then(|i| self.rules.get(i))
    }
}

/// A section's entries with `default` (any flow) after the named protocols,
/// so that the more specific entry matches first.
fn defaults_last<V>(section: &BTreeMap<String, V>) -> impl Iterator<Item = (&String, &V)> {
    let is_default = |k: &String| matches!(k.to_ascii_lowercase().as_str(), "default" | "any");
    let named = section.iter().filter(move |(k, _)| !is_default(k));
    named.chain(section.iter().filter(move |(k, _)| is_default(k)))
}

/// What a protocol name in a rules file stands for.
enum Proto {
    /// `default`: every flow.
    Any,
    /// An IP protocol.
    Transport(IpProto),
    /// An application protocol.
    App(L7Proto),
}

/// Parses a protocol name: `default`, a transport protocol name or number,
/// or an application protocol's nDPI name (case-insensitive). Transport
/// names win over application names (`ICMP` is the IP protocol).
fn protocol(name: &str) -> Result<Proto, String> {
    let n = match name.to_ascii_lowercase().as_str() {
        "default" | "any" => return Ok(Proto::Any),
        "tcp" => IpProto::TCP,
        "udp" => IpProto::UDP,
        "icmp" => IpProto::ICMP,
        "icmpv6" | "ipv6-icmp" => IpProto::ICMPV6,
        "sctp" => IpProto::SCTP,
        "gre" => IpProto::GRE,
        "esp" => IpProto::ESP,
        other => match other.parse::<u8>() {
            Ok(n) => IpProto(n),
            Err(_) => {
                return L7Proto::from_name(name)
                    .filter(|&p| p != L7Proto::Unknown)
                    .map(Proto::App)
                    .ok_or_else(|| {
                        format!(
                            "unknown protocol '{name}': use default, a transport name (tcp, udp, icmp, \
                             icmpv6, sctp, gre, esp), a number, or an application protocol's nDPI name \
                             (TLS, HTTP, DNS, QUIC, ... see docs/l7.md)"
                        )
                    })
            }
        },
    };
    Ok(Proto::Transport(n))
}

impl Rule {
    /// A rule matching the flows of protocol `name` (see [`protocol`]),
    /// with no action yet.
    fn for_protocol(name: &str) -> Result<Rule, String> {
        Ok(match protocol(name)? {
            Proto::Any => Rule::default(),
            Proto::Transport(p) => Rule {
                proto: Some(p),
                ..Rule::default()
            },
            Proto::App(a) => Rule {
                l7: Some(a),
                ..Rule::default()
            },
        })
    }
}

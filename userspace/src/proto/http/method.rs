//! The HTTP/1.x request methods Sluice recognises, in one list for both the
//! L7 label and the HTTP feature's parser.

/// A request method.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// The token, as it opens a request line.
    pub name: &'static [u8],
    /// True if nDPI's HTTP dissector labels a flow opening with it HTTP.
    /// The SSDP/UPnP methods are not: nDPI names those flows SSDP (or
    /// leaves them to other dissectors), and so does Sluice's L7 chain.
    pub labels_http: bool,
}

const fn http(name: &'static [u8]) -> Method {
    Method {
        name,
        labels_http: true,
    }
}

const fn upnp(name: &'static [u8]) -> Method {
    Method {
        name,
        labels_http: false,
    }
}

/// RFC 9110, PATCH (RFC 5789), WebDAV (RFC 4918, 3253, 5323) and CalDAV
/// (RFC 4791), then the HTTPU/GENA methods of SSDP/UPnP.
pub const METHODS: &[Method] = &[
    http(b"GET"),
    http(b"POST"),
    http(b"HEAD"),
    http(b"PUT"),
    http(b"DELETE"),
    http(b"OPTIONS"),
    http(b"CONNECT"),
    http(b"PATCH"),
    http(b"TRACE"),
    http(b"PROPFIND"),
    http(b"PROPPATCH"),
    http(b"MKCOL"),
    http(b"MOVE"),
    http(b"COPY"),
    http(b"LOCK"),
    http(b"UNLOCK"),
    http(b"REPORT"),
    http(b"SEARCH"),
    http(b"MKCALENDAR"),
    http(b"SUBSCRIBE"),
    upnp(b"M-SEARCH"),
    upnp(b"NOTIFY"),
    upnp(b"UNSUBSCRIBE"),
];

/// True if `b` starts with `method` followed by a space.
pub fn opens_request(b: &[u8], method: &Method) -> bool {
    b.strip_prefix(method.name)
        .is_some_and(|rest| rest.first() == Some(&b' '))
}
